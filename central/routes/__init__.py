"""HTTP routes, one module per part of the contract; ``central.app`` mounts them under ``/api/v1``."""
