"""The procedure catalog."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from central import auth
from central.catalog import find_procedures, procedure_view
from central.context import Central, get_central
from central.dossiers import get_procedure
from central.schemas import ERRORS

router = APIRouter(tags=["catalog"])


@router.get("/procedures", responses=ERRORS)
def list_procedures(
    field: Annotated[str | None, Query(max_length=40)] = None,
    q: Annotated[str | None, Query(max_length=100, description="words to find; diacritics optional")] = None,
    principal: auth.Principal = Depends(auth.anyone),
    central: Central = Depends(get_central),
) -> list[dict]:
    with central.db.read() as session:
        return find_procedures(session, field, q)


@router.get("/procedures/{code}", responses=ERRORS)
def one_procedure(code: str, principal: auth.Principal = Depends(auth.anyone),
                  central: Central = Depends(get_central)) -> dict:
    with central.db.read() as session:
        return procedure_view(get_procedure(session, code))
