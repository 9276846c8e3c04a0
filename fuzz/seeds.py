#!/usr/bin/env python3
"""Writes the hand-made seed inputs of the fuzz targets into fuzz/corpus/<target>/seed-*.

Run from anywhere: python3 fuzz/seeds.py. Inputs found by fuzzing runs and merged in with
`scripts/fuzz.sh --merge-seeds` sit beside these under libFuzzer's hash names; this script only
(re)writes its own seed-* files. The layouts follow the harnesses' comments (fuzz/<target>.cpp).
"""
import base64
import hashlib
import hmac
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# --- jwt -------------------------------------------------------------------------------------------
JWT_SECRET = b"fuzz-jwt-secret-0123456789abcdef-0123456789"  # fuzz/jwt.cpp kSecret


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def token(header, payload, secret=JWT_SECRET, digest=hashlib.sha256):
    si = b64(json.dumps(header, separators=(",", ":")).encode()) + "." + \
        b64(json.dumps(payload, separators=(",", ":")).encode())
    sig = b64(hmac.new(secret, si.encode(), digest).digest()) if digest else ""
    return si + "." + sig


CLAIMS = {"sub": "7", "email": "a@b.test", "rol": "ADMIN", "empresaId": 3, "jti": "0123abcd", "iat": 1699990000,
          "iat_ms": 1699990000123, "exp": 1900000000}
HS = {"alg": "HS256", "typ": "JWT"}
write("jwt", "valid", "\x00" + token(HS, CLAIMS))
write("jwt", "valid-iss-aud", "\x30" + token(HS, dict(CLAIMS, iss="iam-fuzz", aud="iam-fuzz-clients")))
write("jwt", "legacy-numeric-sub", "\x00" + token(HS, {"sub": 9, "rol": "EMPLEADO", "empresaId": None, "iat": 1699990000,
                                                        "exp": 1900000000}))
write("jwt", "expired", "\x00" + token(HS, dict(CLAIMS, exp=1600000000)))
write("jwt", "alg-none", "\x00" + token({"alg": "none"}, CLAIMS, digest=None))
write("jwt", "hs512", "\x00" + token({"alg": "HS512"}, CLAIMS, digest=hashlib.sha512))
write("jwt", "other-secret", "\x00" + token(HS, CLAIMS, secret=b"other"))
write("jwt", "garbage", "\x00abc.def.ghi")
write("jwt", "claims", "\x01" + json.dumps(HS) + "\n" + json.dumps(CLAIMS))
write("jwt", "claims-nbf", "\x01" + json.dumps(HS) + "\n" + json.dumps(dict(CLAIMS, nbf=1800000000)))
write("jwt", "claims-types", "\x01" + json.dumps(HS) + "\n" +
      '{"sub":"1","exp":1900000000.5,"iat":"x","empresaId":"3","jti":5,"rol":null}')
write("jwt", "claims-no-exp", "\x01" + json.dumps(HS) + "\n" + '{"sub":"1"}')
write("jwt", "header-kid", "\x01" + '{"alg":"HS256","kid":"../../etc/passwd","typ":"JWT"}' + "\n" + json.dumps(CLAIMS))
write("jwt", "forged", "\x02" + json.dumps(HS) + "\n" + json.dumps(CLAIMS))

# --- resp_reader -----------------------------------------------------------------------------------
RESP = {
    "status": b"+OK\r\n",
    "error": b"-ERR unknown command 'X'\r\n",
    "integer": b":42\r\n:-7\r\n",
    "bulk": b"$5\r\nhello\r\n$0\r\n\r\n$-1\r\n",
    "binary": b"$6\r\na\x00\r\nb\n\r\n",
    "array": b"*3\r\n$1\r\na\r\n:1\r\n$-1\r\n",
    "nested": b"*2\r\n*2\r\n:1\r\n*1\r\n+deep\r\n*0\r\n",
    "scan": b"*2\r\n$1\r\n0\r\n*2\r\n$5\r\niam:a\r\n$5\r\niam:b\r\n",
    "info": b"$40\r\n# Memory\r\nused_memory_human:1.00M\r\n\r\n",
    "pipeline": b"+OK\r\n:1\r\n$3\r\nabc\r\n*-1\r\n-WRONGPASS invalid\r\n",
    "bad-type": b"?what\r\n",
    "bad-length": b"$abc\r\n",
}
for i, (name, frame) in enumerate(RESP.items()):
    write("resp_reader", name, bytes([i % 7]) + frame)

# --- url_config ------------------------------------------------------------------------------------
URLS = ["redis://127.0.0.1:6379", "rediss://user:p%40ss@redis.example.com:6380/2", "redis://:secretpw@[::1]:6379/0",
        "REDIS://Host", "redis://host:0", "redis://host/abc", "redis://h?x=1#f", "redis://user:pa/ss@host:6379"]
for i, u in enumerate(URLS):
    write("url_config", "redis-url-%d" % i, "\x00" + u)
ENVS = {
    "basic": "PORT=3001\nHOST=0.0.0.0\nJWT_SECRET=abcdefghijklmnopqrstuvwxyz012345\n",
    "redis": "REDIS_URL=redis://:hunter2pw@127.0.0.1:6379/1\nCACHE_PREFIX=iam\nREDIS_TIMEOUT_MS=50\n",
    "redis-parts": "REDIS_HOST=r\nREDIS_PORT=6380\nREDIS_PASSWORD='pw with spaces'\nREDIS_TLS=true\nREDIS_DB=3\n",
    "cluster": "REDIS_CLUSTER_NODES=a:1, b:2 ,c:3\n",
    "database": 'export DATABASE_URL="postgres://iam:dbsecret@db:5432/iam"\n# comment\nDB_POOL_SIZE=4\n',
    "production": "IAM_ENV=production\nJWT_SECRET=short\n",
    "durations": "JWT_EXPIRES_IN=15m\nHTTP_READ_TIMEOUT_MS=1000\nCACHE_TTL_KPIS=60\nLOG_LEVEL=debug\n",
    "bad": "NOT A LINE\n",
    "quotes": "CORS_ORIGINS='http://a, http://b'\r\nMETRICS_TOKEN=\"tok-123456\" # trailing\n",
}
for name, text in ENVS.items():
    write("url_config", "env-" + name, "\x01" + text)
for i, u in enumerate(["postgres://u:pw12345@h/db", "redis://u:pa@ss12@h", "x://y", "postgres://h/db?x=a@b"]):
    write("url_config", "mask-%d" % i, "\x02" + u)

# --- http_request ----------------------------------------------------------------------------------
# Fixture ids (fuzz/http_request.cpp): tenants A=1, B=2; suppliers 1 (A), 2 (B); products 1 (A, barcode
# A-0001), 2 (B, B-0001); movements 1-2 (A), 3-4 (B); users @A@=1 @E@=2 @P@=3 @S@=4 @N@=5 @B@=6 @BE@=7.


def req(method, target, token=None, body=None, headers=()):
    lines = ["%s %s HTTP/1.1" % (method, target), "Host: fuzz"]
    if token:
        lines.append("Authorization: Bearer " + token)
    lines.extend(headers)
    data = ""
    if body is not None:
        data = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
        lines.append("Content-Type: application/json")
        lines.append("Content-Length: %d" % len(data.encode()))
    return "\r\n".join(lines) + "\r\n\r\n" + data


HTTP = [
    ("health", req("GET", "/health")),
    ("ready", req("GET", "/health/ready")),
    ("metrics", req("GET", "/metrics")),
    ("login", req("POST", "/auth/login", body={"email": "admin@a.test", "password": "wrong-password"})),
    ("refresh", req("POST", "/auth/refresh", body={"refreshToken": "00" * 32})),
    ("refresh-cookie", req("POST", "/auth/refresh", headers=["Cookie: rt=abcd; jwt=@A@"])),
    ("register", req("POST", "/auth/register", body={"nombre": "N", "email": "n@x.test", "password": "password123"})),
    ("register-empresa", req("POST", "/auth/register-empresa",
                             body={"nombreEmpresa": "E", "tipoIndustria": "ROPA", "rfc": "ABC123",
                                   "nombre": "N", "email": "m@x.test", "password": "password123"})),
    ("setup-empresa", req("POST", "/auth/setup-empresa", "@N@", {"nombreEmpresa": "Nueva", "rfc": "xyz"})),
    ("logout", req("POST", "/auth/logout", "@E@", {})),
    ("me", req("GET", "/auth/me", "@P@")),
    ("me-cookie", req("GET", "/auth/me", headers=["Cookie: jwt=@A@"])),
    ("change-password", req("POST", "/auth/change-password", "@E@",
                            {"passwordActual": "password123", "passwordNueva": "password456"})),
    ("cache-stats", req("GET", "/auth/admin/cache-stats", "@A@")),
    ("cache-clear", req("POST", "/auth/admin/cache/clear?scope=all", "@S@")),
    ("cache-invalidate", req("GET", "/dashboard-cqrs/cache/invalidate?cacheType=kpis", "@A@")),
    ("kpis", req("GET", "/dashboard-cqrs/kpis?forceRefresh=true", "@E@")),
    ("financial", req("GET", "/dashboard-cqrs/financial-kpis?period=quarter", "@A@")),
    ("product-kpis", req("GET", "/dashboard-cqrs/product-kpis/1", "@A@")),
    ("product-kpis-b", req("GET", "/dashboard-cqrs/product-kpis/2", "@A@")),
    ("movement-kpis", req("GET", "/dashboard-cqrs/movement-kpis?days=30", "@A@")),
    ("daily", req("GET", "/dashboard-cqrs/daily-movements?days=1", "@E@")),
    ("predictive", req("GET", "/dashboard-cqrs/predictive-kpis?days=90", "@A@")),
    ("all-kpis", req("GET", "/dashboard-cqrs/all-kpis", "@E@")),
    ("empresa-mia", req("GET", "/empresas/mia", "@P@")),
    ("empresa-mia-patch", req("PATCH", "/empresas/mia", "@A@", {"direccion": "Calle 1", "rfc": "AAA010101AAA",
                                                               "emailContacto": "c@a.test", "tipoIndustria": "ROPA"})),
    ("empresas", req("GET", "/empresas?page=1&limit=10", "@S@")),
    ("empresa-id", req("GET", "/empresas/2", "@S@")),
    ("empresa-patch", req("PATCH", "/empresas/1", "@S@", {"nombre": "Renombrada"})),
    ("empresa-delete", req("DELETE", "/empresas/2", "@S@")),
    ("productos-post", req("POST", "/productos", "@A@",
                           {"nombre": "Nuevo", "precioCompra": 1.5, "precioVenta": 2, "stock": 4, "stockMinimo": 1,
                            "descripcion": "d", "proveedorId": 1, "codigoBarras": "C-1", "rfid": "R-1", "sku": "S-1",
                            "ubicacion": "A1", "temperaturaOptima": 4.5, "humedadOptima": 50, "color": "rojo",
                            "talla": "M", "tipoProducto": "GENERICO", "unidad": "UNIDAD", "etiquetas": ["a", "b"]})),
    ("productos-list", req("GET", "/productos?search=prod&etiqueta=x&estado=ACTIVO&agotados=false&proveedorId=1"
                                  "&sku=SKU&codigoBarras=A&page=1&limit=50", "@P@")),
    ("productos-buscar", req("GET", "/productos/buscar/A-0001", "@A@")),
    ("productos-buscar-slash", req("GET", "/productos/buscar/A%2F0001", "@A@")),
    ("productos-get", req("GET", "/productos/1", "@P@")),
    ("productos-get-b", req("GET", "/productos/2", "@A@")),
    ("productos-patch", req("PATCH", "/productos/1", "@A@", {"nombre": "Otro", "color": None})),
    ("productos-desactivar", req("PATCH", "/productos/1/desactivar", "@A@")),
    ("productos-reactivar", req("PATCH", "/productos/1/reactivar", "@A@")),
    ("productos-delete", req("DELETE", "/productos/1", "@A@")),
    ("productos-restaurar", req("PATCH", "/productos/1/restaurar", "@A@")),
    ("proveedores-post", req("POST", "/proveedores", "@A@", {"nombre": "P2", "email": "p2@x.test", "telefono": "555"})),
    ("proveedores-list", req("GET", "/proveedores?estado=INACTIVO&page=1&limit=5", "@E@")),
    ("proveedores-get", req("GET", "/proveedores/1", "@A@")),
    ("proveedores-put", req("PUT", "/proveedores/1", "@A@", {"telefono": None})),
    ("proveedores-desactivar", req("PATCH", "/proveedores/1/desactivar", "@A@")),
    ("proveedores-reactivar", req("PATCH", "/proveedores/1/reactivar", "@A@")),
    ("proveedores-soft", req("DELETE", "/proveedores/1/soft", "@A@")),
    ("proveedores-restaurar", req("PATCH", "/proveedores/1/restaurar", "@A@")),
    ("movimientos-post", req("POST", "/movimientos", "@E@",
                             {"tipo": "SALIDA", "cantidad": 2, "productoId": 1, "proveedorId": 1, "precioUnitario": 3,
                              "precioTotal": 6, "tipoPrecio": "VENTA", "motivo": "m", "descripcion": "d",
                              "fecha": "2024-01-02T03:04:05.000Z"}, ["Idempotency-Key: key-1"])),
    ("movimientos-barcode", req("POST", "/movimientos/codigo-barras", "@A@",
                                {"tipo": "ENTRADA", "cantidad": 1, "codigoBarras": "A-0001"})),
    ("movimientos-list", req("GET", "/movimientos?tipo=ENTRADA&productoId=1&desde=2020-01-01&hasta=2030-01-01", "@A@")),
    ("movimientos-producto", req("GET", "/movimientos/producto/1?page=2&limit=1", "@E@")),
    ("movimientos-eliminados", req("GET", "/movimientos/eliminados", "@A@")),
    ("movimientos-eliminado", req("DELETE", "/movimientos/1", "@A@") + req("GET", "/movimientos/eliminados/1", "@A@")
     + req("PATCH", "/movimientos/1/restaurar", "@A@")),
    ("movimientos-get", req("GET", "/movimientos/2", "@E@")),
    ("movimientos-patch", req("PATCH", "/movimientos/2", "@A@", {"motivo": None, "descripcion": "x"})),
    ("movimientos-delete", req("DELETE", "/movimientos/2", "@A@")),
    ("movimientos-restaurar", req("PATCH", "/movimientos/2/restaurar", "@A@")),
    ("users-list", req("GET", "/users?search=a&rol=EMPLEADO&activo=true", "@A@")),
    ("users-post", req("POST", "/users", "@A@", {"nombre": "U", "email": "u@a.test", "password": "password123",
                                                 "rol": "EMPLEADO"})),
    ("users-patch", req("PATCH", "/users/2", "@A@", {"nombre": "E2", "rol": "ADMIN", "activo": True})),
    ("users-delete", req("DELETE", "/users/3", "@A@")),
    ("users-patch-b", req("PATCH", "/users/6", "@A@", {"activo": False})),
    ("options-preflight", req("OPTIONS", "/productos", headers=["Origin: http://localhost:5173",
                                                                "Access-Control-Request-Method: POST"])),
    ("pipelined", req("GET", "/health") + req("GET", "/auth/me", "@A@") + req("GET", "/nope")),
    ("chunked", "POST /productos HTTP/1.1\r\nHost: f\r\nAuthorization: Bearer @A@\r\nTransfer-Encoding: chunked\r\n"
                "Content-Type: application/json\r\n\r\n5\r\n{\"nom\r\n0\r\n\r\n"),
    ("http10", "GET /health HTTP/1.0\r\n\r\n"),
    ("bad-json", req("POST", "/productos", "@A@", '{"nombre": "x", "precioCompra": 1e999,')),
    ("method-not-allowed", req("PUT", "/productos", "@A@", {})),
]
for name, text in HTTP:
    write("http_request", name, text)

print("seeds written under", os.path.join(HERE, "corpus"))
