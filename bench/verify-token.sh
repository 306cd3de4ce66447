#!/usr/bin/env bash
# verify-token.sh - check the RS256 signature of a JWT with openssl and print its header and payload.
#
# Usage: bench/verify-token.sh <public-key.pem> <jwt>
# Exit status 0 and "Verified OK" on stderr when the signature matches; non-zero otherwise.
# Does not check exp/nbf/aud/iss: it only proves the token was signed by the key pair.
set -euo pipefail
[[ $# -eq 2 ]] || { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 64; }
pub=$1 jwt=$2

IFS=. read -r h p s <<<"$jwt"
[[ -n ${s:-} ]] || { echo "verify-token: not a compact JWS (need header.payload.signature)" >&2; exit 1; }

b64url_decode() {
  local x=${1//-/+}; x=${x//_//}
  while (( ${#x} % 4 )); do x+='='; done
  printf '%s' "$x" | openssl base64 -d -A
}

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
b64url_decode "$s" >"$tmp/sig"
echo "header:  $(b64url_decode "$h")" >&2
echo "payload: $(b64url_decode "$p")" >&2
printf '%s.%s' "$h" "$p" | openssl dgst -sha256 -verify "$pub" -signature "$tmp/sig" >&2
