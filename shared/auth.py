"""Verifying the platform's access tokens in every service, and typed role dependencies.

Identity signs RS256 tokens and serves its public keys as JWKS; every service checks the
signature (RS256 only: ``alg: none`` and HS256-with-the-public-key are refused), ``iss``,
``aud`` and ``exp`` itself, and refuses a token of an ended session or one issued before its
subject's access changed (``shared.revocations``). A header that the gateway merely forwards is
never trusted.
"""
from __future__ import annotations

import asyncio
import hmac
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Literal

import httpx
from cachetools import LRUCache
from fastapi import Depends, Request
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from shared.errors import Forbidden, Unauthorized

if TYPE_CHECKING:
    from shared.revocations import Revocations

ALGORITHMS = ["RS256"]
VERIFIED_TOKENS = 20_000  # about 20 MB at most: the tokens of the people active in the last minutes
Kind = Literal["person", "unit", "pending"]
# expert: 评审专家 (sits on a committee). A unit's 经办人 are not a role here: the ``units`` claim says
# for which units a person reviews (unit_admin).
ROLES = ("applicant", "unit_admin", "plan_admin", "expert", "operator")


@dataclass(frozen=True)
class Principal:
    subject: str
    kind: Kind
    roles: frozenset[str] = field(default_factory=frozenset)
    session_id: str | None = None
    name: str | None = None
    claims: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def id(self) -> uuid.UUID:
        return uuid.UUID(self.subject)

    def has(self, role: str) -> bool:
        return role in self.roles

    @property
    def acting_name(self) -> str:
        """How a decision by this principal is signed: a person's name, or a unit account's legal person."""
        if self.kind == "unit":
            return f"{self.claims.get('legal_person_name') or self.name or '单位'}（法人）"
        return self.name or "经办人"

    @property
    def reviewed_units(self) -> frozenset[uuid.UUID]:
        """The units whose 经办人 (or legal-person account) this is, as the token names them."""
        units = set()
        for raw in self.claims.get("units") or ():
            try:
                units.add(uuid.UUID(str(raw)))
            except ValueError:
                continue
        return frozenset(units)


JwksLoader = Callable[[], Awaitable[dict[str, Any]]]


def http_jwks_loader(jwks_url: str) -> JwksLoader:
    async def load() -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=5) as client:
            response = await client.get(jwks_url)
            response.raise_for_status()
            return response.json()

    return load


class TokenVerifier:
    """Verifies access tokens against a JWKS that is cached and refreshed on an unknown key id."""

    def __init__(self, load_jwks: JwksLoader, issuer: str, audience: str, *, min_refresh_seconds: float = 10,
                 revocations: Revocations | None = None) -> None:
        self._load = load_jwks
        self.revocations = revocations
        self.issuer = issuer
        self.audience = audience
        self._keys: KeySet | None = None
        self._loaded_at = 0.0
        self._min_refresh = min_refresh_seconds
        self._lock = asyncio.Lock()
        # Signatures already checked, by token: a person's token comes back with every request for
        # minutes, and an RSA verification is the largest part of a small request's work. Only the
        # signature is remembered; the claims (expiry) and revocations are checked every time.
        self._verified: LRUCache[str, dict[str, Any]] = LRUCache(maxsize=VERIFIED_TOKENS)
        # Fractional now: identity's iat has milliseconds (see shared.revocations).
        self._claims = jwt.JWTClaimsRegistry(
            now=time.time,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
            iat={"essential": True},
            sub={"essential": True},
            sid={"essential": True},
        )

    async def _key_set(self, refresh: bool = False) -> KeySet:
        async with self._lock:
            stale = time.monotonic() - self._loaded_at > self._min_refresh
            if self._keys is None or (refresh and stale):
                self._keys = KeySet.import_key_set(await self._load())
                self._loaded_at = time.monotonic()
                self._verified.clear()  # a key withdrawn takes its tokens with it
            return self._keys

    async def verify(self, token: str) -> Principal:
        try:
            if (c := self._verified.get(token)) is None:
                try:
                    c = jwt.decode(token, await self._key_set(), algorithms=ALGORITHMS).claims
                except (ValueError, JoseError):
                    # Perhaps identity rotated its key: look again (rate-limited), then give up.
                    c = jwt.decode(token, await self._key_set(refresh=True), algorithms=ALGORITHMS).claims
                self._verified[token] = c
            self._claims.validate(c)
        except (ValueError, JoseError) as exc:
            raise Unauthorized("登录凭证无效或已过期，请重新登录", code="invalid_token") from exc
        if c.get("kind") not in ("person", "unit", "pending"):
            raise Unauthorized("登录凭证无效或已过期，请重新登录", code="invalid_token")
        if self.revocations is not None:
            await self.revocations.ensure_loaded()
            if self.revocations.refuses(c):
                raise Unauthorized("登录已失效或权限已变更，请重新登录", code="token_revoked")
        return Principal(subject=str(c["sub"]), kind=c["kind"], roles=frozenset(c.get("roles") or ()),
                         session_id=c.get("sid"), name=c.get("name"), claims=c)


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def current_principal(request: Request) -> Principal:
    token = bearer_token(request)
    if not token:
        raise Unauthorized("请先登录", code="not_authenticated")
    return await request.app.state.verifier.verify(token)


async def current_person(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    if principal.kind != "person":
        raise Forbidden("该功能仅面向已注册的个人用户", code="person_only")
    return principal


def require_role(role: str) -> Callable[..., Awaitable[Principal]]:
    async def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.has(role):
            raise Forbidden("您没有进行此操作的权限", code="role_required")
        return principal

    check.__name__ = f"require_{role}"
    return check


async def internal_caller(request: Request) -> None:
    """Calls between services carry the platform's internal key; the gateway never routes them."""
    given = request.headers.get("x-service-key", "")
    expected = request.app.state.settings.platform.internal_key.get_secret_value()
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise Forbidden("内部接口仅供平台服务调用", code="internal_only")


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
CurrentPerson = Annotated[Principal, Depends(current_person)]
Operator = Annotated[Principal, Depends(require_role("operator"))]
PlanAdmin = Annotated[Principal, Depends(require_role("plan_admin"))]
UnitAdmin = Annotated[Principal, Depends(require_role("unit_admin"))]
InternalCaller = Annotated[None, Depends(internal_caller)]
