#!/usr/bin/env bash
# mint-token.sh - mint an Entra ID (Azure AD v1.0) style RS256 access token with openssl only.
#
# Usage:
#   bench/mint-token.sh <private-key.pem> <issuer> <appid> [audience] [roles-json-array]
#
#   private-key.pem   RSA private key (PEM) used to sign, e.g. bench/out/keys/private.pem
#   issuer            e.g. https://sts.windows.net/<tenant-guid>/
#   appid             the calling application's client id (GUID)
#   audience          default: https://cognitiveservices.azure.com
#   roles-json-array  optional app roles claim, e.g. '["chargeback.reader"]'
#
# Prints the compact JWT (header.payload.signature) on stdout, nothing else.
#
# Environment overrides:
#   TENANT_ID    tid claim (default: the GUID found in <issuer>)
#   OID          oid/sub claims (default: a GUID derived deterministically from appid)
#   TTL_SECONDS  lifetime, exp = now + TTL_SECONDS (default 7200)
#   KID          kid header (default "bench")
#
# Example:
#   openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out private.pem
#   openssl pkey -in private.pem -pubout -out public.pem
#   TOKEN=$(bench/mint-token.sh private.pem https://sts.windows.net/0b5e2c7a-3f1d-4e8a-9c6b-7d2f1a4e5b90/ \
#           5c1f7e2a-8d3b-4f6e-a1c9-2b7d4e6f8a13)
#   curl -H "Authorization: Bearer $TOKEN" ...
# Verify with: bench/verify-token.sh public.pem "$TOKEN"
set -euo pipefail

usage() { sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 64; }
[[ $# -ge 3 && $# -le 5 ]] || usage

key=$1 iss=$2 appid=$3
aud=${4:-https://cognitiveservices.azure.com}
roles=${5:-}

[[ -r $key ]] || { echo "mint-token: cannot read private key '$key'" >&2; exit 1; }
for v in "$iss" "$appid" "$aud"; do
  [[ $v != *[\"\\]* ]] || { echo "mint-token: quotes/backslashes not supported in claims: $v" >&2; exit 1; }
done
if [[ -n $roles ]]; then
  [[ $roles =~ ^\[.*\]$ ]] || { echo "mint-token: roles must be a JSON array, e.g. '[\"chargeback.reader\"]'" >&2; exit 1; }
fi

guid_re='[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}'
tid=${TENANT_ID:-}
if [[ -z $tid ]]; then
  [[ $iss =~ $guid_re ]] && tid=${BASH_REMATCH[0]}
fi
[[ -n $tid ]] || { echo "mint-token: no tenant GUID in issuer; set TENANT_ID" >&2; exit 1; }

as_guid() { # 32 hex chars -> 8-4-4-4-12
  local h=$1
  printf '%s-%s-%s-%s-%s' "${h:0:8}" "${h:8:4}" "${h:12:4}" "${h:16:4}" "${h:20:12}"
}
oid=${OID:-$(as_guid "$(printf 'oid:%s' "$appid" | openssl dgst -md5 -r | cut -c1-32)")}
uti=$(openssl rand -base64 16 | tr '+/' '-_' | tr -d '=\n' | cut -c1-22)

now=$(date +%s)
iat=$((now - 300))            # Entra ID backdates iat/nbf by 5 minutes as well
exp=$((now + ${TTL_SECONDS:-7200}))

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '=\n'; }

header=$(printf '{"alg":"RS256","typ":"JWT","kid":"%s"}' "${KID:-bench}")
payload=$(printf '{"aud":"%s","iss":"%s","iat":%d,"nbf":%d,"exp":%d,"appid":"%s","appidacr":"1","idp":"%s","idtyp":"app","oid":"%s","sub":"%s","tid":"%s","uti":"%s","ver":"1.0"' \
  "$aud" "$iss" "$iat" "$iat" "$exp" "$appid" "$iss" "$oid" "$oid" "$tid" "$uti")
[[ -n $roles ]] && payload+=",\"roles\":$roles"
payload+='}'

signing_input="$(printf '%s' "$header" | b64url).$(printf '%s' "$payload" | b64url)"
signature=$(printf '%s' "$signing_input" | openssl dgst -sha256 -sign "$key" -binary | b64url)
printf '%s.%s\n' "$signing_input" "$signature"
