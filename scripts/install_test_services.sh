#!/usr/bin/env bash
# Install the real servers the tests start: memcached (with SASL tools) and Debian's
# Chromium for the browser tests. Does nothing when they are already there.
set -euo pipefail

missing=()
command -v memcached >/dev/null || missing+=(memcached)
command -v saslpasswd2 >/dev/null || missing+=(sasl2-bin libsasl2-modules)
command -v chromium >/dev/null || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing ${missing[*]} with apt-get"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
