#!/usr/bin/env bash
# openid-connect's cost with bearer_only and a cached JWKS: a small OpenID provider (python3
# http.server serving a discovery document and a JWKS made here with openssl), an RS256 token
# signed by its key, then bench/plugin-overhead.sh with that token sent to both variants.
# Usage: bench/oidc-overhead.sh [SECONDS] [CONNECTIONS]   (needs wrk, nginx, openssl, python3)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for tool in openssl python3; do command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }; done
work=$(mktemp -d)
trap 'kill $provider 2>/dev/null || true; rm -rf "$work"' EXIT
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
openssl genrsa -out "$work/key.pem" 2048 2>/dev/null
modulus=$(openssl rsa -in "$work/key.pem" -noout -modulus | cut -d= -f2 \
  | python3 -c 'import base64, sys; print(base64.urlsafe_b64encode(bytes.fromhex(sys.stdin.read().strip())).decode().rstrip("="))')
port=9190
issuer="http://127.0.0.1:$port"
mkdir -p "$work/www/.well-known"
printf '{"issuer":"%s","jwks_uri":"%s/jwks.json"}' "$issuer" "$issuer" > "$work/www/.well-known/openid-configuration"
printf '{"keys":[{"kty":"RSA","kid":"bench","use":"sig","alg":"RS256","n":"%s","e":"AQAB"}]}' "$modulus" > "$work/www/jwks.json"
(cd "$work/www" && exec python3 -m http.server "$port" --bind 127.0.0.1) >/dev/null 2>&1 & provider=$!
header=$(printf '{"alg":"RS256","typ":"JWT","kid":"bench"}' | b64url)
payload=$(printf '{"iss":"%s","sub":"bench","aud":"gw","scope":"openid","exp":%d}' "$issuer" $(( $(date +%s) + 86400 )) | b64url)
signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$work/key.pem" -binary | b64url)
token="$header.$payload.$signature"
cat > "$work/gateway-oidc.yaml" <<YAML
tidegate:
  listeners:
    - address: 127.0.0.1:9080
  plugins_dir: $here/../plugins-dist
routes:
  - id: bench
    uri: /*
    plugins:
      openid-connect: { client_id: gw, discovery: "$issuer/.well-known/openid-configuration", bearer_only: true, use_jwks: true }
    upstream_id: origin
upstreams:
  - id: origin
    nodes:
      "127.0.0.1:9100": 1
YAML
WRK_HEADERS="Authorization: Bearer $token" "$here/plugin-overhead.sh" "${1:-10}" "${2:-64}" "$work/gateway-oidc.yaml"
