"""Printed slips (queue tickets, appointment and pickup slips) laid out as raster images.

Cheap thermal printers have no Vietnamese code page, so slips are drawn with a Vietnamese-capable font
into a 1-bit image as wide as the printer's print head and sent as a raster (``GS v 0``).
"""
