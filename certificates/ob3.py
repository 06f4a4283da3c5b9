"""Open Badges 3.0 credentials secured with a W3C Data Integrity proof
(cryptosuite eddsa-rdfc-2022), issuer identified by did:web.

Pure Python (no Django). Dependencies: pyld==3.3.0, cryptography.

Specs followed:
* W3C Verifiable Credentials Data Model 2.0
* 1EdTech Open Badges 3.0 (context-3.0.3.json)
* W3C Data Integrity EdDSA Cryptosuites v1.0, section 3.2 (eddsa-rdfc-2022)
* W3C Controlled Identifiers / Multikey (publicKeyMultibase), did:web method

JSON-LD contexts are NEVER fetched: they are served from the bundled files in
``contexts/`` (see contexts/SOURCES.md); any other URL raises.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from pyld import jsonld
from pyld.context_resolver import ContextResolver

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_V3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DID_V1_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1_CONTEXT = "https://w3id.org/security/multikey/v1"

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"

#: Exact-match allowlist: context URL -> bundled file (see contexts/SOURCES.md).
BUNDLED_CONTEXTS: dict[str, str] = {
    VC_V2_CONTEXT: "credentials-v2.json",
    OB_V3_CONTEXT: "ob-v3p0-context-3.0.3.json",
    "https://w3id.org/security/data-integrity/v2": "security-data-integrity-v2.json",
    MULTIKEY_V1_CONTEXT: "security-multikey-v1.json",
}


class UnknownContextError(Exception):
    """A JSON-LD @context URL outside the bundled allowlist was requested."""


# --------------------------------------------------------------------------
# Document loader (offline, allowlisted) + private resolved-context cache
# --------------------------------------------------------------------------

_DOCS: dict[str, dict] = {}
_DOCS_LOCK = threading.Lock()


def _load_bundled(url: str, contexts_dir: Path = CONTEXTS_DIR) -> dict:
    doc = _DOCS.get(url)
    if doc is None:
        name = BUNDLED_CONTEXTS.get(url)
        if name is None:
            raise UnknownContextError(
                f"JSON-LD context {url!r} is not bundled; refusing to fetch it"
            )
        with open(contexts_dir / name, encoding="utf-8") as fh:
            doc = json.load(fh)
        with _DOCS_LOCK:
            _DOCS[url] = doc
    return doc


def document_loader(url: str, options: Any = None) -> dict:
    """pyld documentLoader serving only the bundled contexts; raises otherwise.

    The documents are immutable for the life of the process, so they are
    tagged 'static': pyld then keeps the *processed* context in the shared
    cache handed to it (ours, see _canonize) instead of re-processing ~100
    term definitions on every call."""
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": copy.deepcopy(_load_bundled(url)),
        "tag": "static",
    }


# Our own cache of processed contexts, NOT pyld's process-wide one, so no
# other pyld user in the process (with other documents for the same URLs)
# can influence what we canonicalize against. One per thread: pyld's
# ResolvedContext objects carry unsynchronised internal LRU caches.
_TLS = threading.local()


def _resolved_context_cache() -> dict:
    cache = getattr(_TLS, "cache", None)
    if cache is None:
        cache = _TLS.cache = {}
    return cache


def canonicalize(document: dict) -> str:
    """RDFC-1.0 (pyld: URDNA2015) canonical N-Quads of a JSON-LD document."""
    return jsonld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": document_loader,
            "contextResolver": ContextResolver(_resolved_context_cache(), document_loader),
            "base": "",
        },
    )


# --------------------------------------------------------------------------
# base58btc / multibase / multikey
# --------------------------------------------------------------------------

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}


def b58encode(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = []
    while n:
        n, r = divmod(n, 58)
        out.append(_B58[r])
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    n = 0
    for c in text:
        try:
            n = n * 58 + _B58_INDEX[c]
        except KeyError:
            raise ValueError(f"invalid base58 character {c!r}") from None
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    pad = len(text) - len(text.lstrip("1"))
    return b"\0" * pad + body


ED25519_PUB_MULTICODEC = b"\xed\x01"
ED25519_PRIV_MULTICODEC = b"\x80\x26"


def public_key_multibase(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + b58encode(ED25519_PUB_MULTICODEC + raw)


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    if not value.startswith("z"):
        raise ValueError("expected a base58btc multibase value ('z...')")
    data = b58decode(value[1:])
    if len(data) != 34 or data[:2] != ED25519_PUB_MULTICODEC:
        raise ValueError("not an Ed25519 Multikey public key")
    return Ed25519PublicKey.from_public_bytes(data[2:])


# --------------------------------------------------------------------------
# Credential
# --------------------------------------------------------------------------


def _xsd_datetime(dt: datetime) -> str:
    if dt.tzinfo is None:
        raise ValueError("datetime must be timezone-aware")
    return dt.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_credential(
    *,
    issuer_did: str,
    issuer_name: str,
    issuer_url: str,
    credential_id: str,
    achievement_id: str,
    achievement_name: str,
    achievement_description: str,
    criteria_narrative: str,
    holder_name: str,
    valid_from: datetime,
    status: dict | None = None,
) -> dict:
    """An unsigned OpenBadgeCredential (VC Data Model 2.0 + OB 3.0).

    The holder has no DID, so per OB 3.0 ("Either id or at least one
    identifier MUST be supplied") the subject carries an IdentityObject with
    identityType "name" (in OB 3.0's IdentifierTypeEnum), not hashed.
    *status* is a BitstringStatusListEntry dict (without or with "type").
    """
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT, OB_V3_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement_name,
        "issuer": {
            "id": issuer_did,
            "type": ["Profile"],
            "name": issuer_name,
            "url": issuer_url,
        },
        "validFrom": _xsd_datetime(valid_from),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": holder_name,
                    "identityType": "name",
                    "hashed": False,
                }
            ],
            "achievement": {
                "id": achievement_id,
                "type": ["Achievement"],
                "name": achievement_name,
                "description": achievement_description,
                "criteria": {"narrative": criteria_narrative},
            },
        },
    }
    if status is not None:
        entry = {"type": "BitstringStatusListEntry", **status}
        for k in ("statusPurpose", "statusListIndex", "statusListCredential"):
            if k not in entry:
                raise ValueError(f"credentialStatus needs {k!r}")
        entry["statusListIndex"] = str(entry["statusListIndex"])  # spec: string
        credential["credentialStatus"] = entry
    return credential


# --------------------------------------------------------------------------
# eddsa-rdfc-2022
# --------------------------------------------------------------------------


def _hash_data(unsecured: dict, proof_config: dict) -> bytes:
    proof_hash = hashlib.sha256(canonicalize(proof_config).encode("utf-8")).digest()
    doc_hash = hashlib.sha256(canonicalize(unsecured).encode("utf-8")).digest()
    return proof_hash + doc_hash


def sign(
    credential: dict,
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime | None = None,
) -> dict:
    """Return a copy of *credential* with an eddsa-rdfc-2022 DataIntegrityProof."""
    if "proof" in credential:
        raise ValueError("credential already has a proof")
    unsecured = copy.deepcopy(credential)
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": _xsd_datetime(created or datetime.now(UTC)),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    # Proof configuration (spec 3.2.5): options with the document's @context.
    proof_config = dict(proof, **{"@context": unsecured["@context"]})
    signature = private_key.sign(_hash_data(unsecured, proof_config))
    unsecured["proof"] = dict(proof, proofValue="z" + b58encode(signature))
    return unsecured


def verify(
    credential: dict,
    *,
    resolve_key: Callable[[str], Ed25519PublicKey],
    expected_proof_purpose: str = "assertionMethod",
) -> bool:
    """True iff *credential* carries exactly one valid eddsa-rdfc-2022 proof.

    *resolve_key* maps the proof's verificationMethod to a public key (it
    must only return keys the issuer controls, e.g. from its DID document's
    assertionMethod, and should raise/return None otherwise). Any error ->
    False. Checks only the proof, not validity dates or status."""
    try:
        if not isinstance(credential, dict):
            return False
        proof = credential.get("proof")
        if not isinstance(proof, dict):
            return False
        if (
            proof.get("type") != "DataIntegrityProof"
            or proof.get("cryptosuite") != "eddsa-rdfc-2022"
            or proof.get("proofPurpose") != expected_proof_purpose
        ):
            return False
        vm = proof.get("verificationMethod")
        pv = proof.get("proofValue")
        if not isinstance(vm, str) or not isinstance(pv, str) or not pv.startswith("z"):
            return False
        # The proof must be made by a method of the issuer itself.
        issuer = credential.get("issuer")
        issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
        if not isinstance(issuer_id, str) or vm.split("#", 1)[0] != issuer_id:
            return False
        signature = b58decode(pv[1:])
        if len(signature) != 64:
            return False
        public_key = resolve_key(vm)
        if public_key is None:
            return False
        unsecured = {k: v for k, v in credential.items() if k != "proof"}
        proof_config = {k: v for k, v in proof.items() if k != "proofValue"}
        if "@context" in proof_config:
            # spec 3.2.2 step: a proof @context must match the document's prefix
            return False
        proof_config["@context"] = credential.get("@context")
        public_key.verify(signature, _hash_data(unsecured, proof_config))
        return True
    except (
        InvalidSignature,
        ValueError,
        TypeError,
        KeyError,
        UnknownContextError,
        jsonld.JsonLdError,
    ):
        return False


# --------------------------------------------------------------------------
# did:web
# --------------------------------------------------------------------------


def did_web_for(site_url: str, *, allow_http: bool = False) -> str:
    """https://host[:port][/path] -> did:web:host[%3Aport][:path...]

    did:web resolves over https only; *allow_http* accepts a plain-http development site
    (its credentials verify on the site itself, not with outside resolvers)."""
    parts = urlsplit(site_url)
    schemes = {"https", "http"} if allow_http else {"https"}
    if parts.scheme not in schemes or not parts.hostname:
        raise ValueError("did:web needs an https URL with a host")
    if parts.username or parts.password or "@" in parts.netloc:
        raise ValueError("did:web URL must not carry userinfo")
    host = parts.hostname.lower()
    if parts.port is not None:
        host += f":{parts.port}"
    segments = [quote(host, safe="")]
    segments += [quote(s, safe="") for s in parts.path.split("/") if s]
    return "did:web:" + ":".join(segments)


def did_web_document(did: str, keys: Iterable[tuple[str, Ed25519PublicKey]]) -> dict:
    """DID document (served at /.well-known/did.json) listing every key as a
    Multikey in verificationMethod and assertionMethod. Keep retired keys in
    the list so credentials they signed keep verifying; drop a key only if it
    was compromised (that invalidates everything it signed)."""
    methods = []
    for key_id, pub in keys:
        fragment = key_id.split("#", 1)[-1]
        methods.append(
            {
                "id": f"{did}#{fragment}",
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": public_key_multibase(pub),
            }
        )
    ids = [m["id"] for m in methods]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate key ids")
    return {
        "@context": [DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
    }


def key_resolver_from_did_document(did_document: dict) -> Callable[[str], Ed25519PublicKey | None]:
    """resolve_key for verify(): only Multikey methods listed in assertionMethod."""
    allowed = {
        a if isinstance(a, str) else a.get("id") for a in did_document.get("assertionMethod", [])
    }
    table = {}
    for m in did_document.get("verificationMethod", []):
        if (
            m.get("type") == "Multikey"
            and m.get("id") in allowed
            and m.get("controller") == did_document.get("id")
        ):
            table[m["id"]] = public_key_from_multibase(m["publicKeyMultibase"])
    return table.get


# --------------------------------------------------------------------------
# Key files
# --------------------------------------------------------------------------


def generate_key_file(path: str | os.PathLike) -> Ed25519PrivateKey:
    """Generate an Ed25519 key and write it as unencrypted PKCS#8 PEM (0600).
    Refuses to overwrite an existing file."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return key


def load_key_file(path: str | os.PathLike) -> Ed25519PrivateKey:
    with open(path, "rb") as fh:
        key = serialization.load_pem_private_key(fh.read(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return key
