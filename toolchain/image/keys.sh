#!/usr/bin/env bash
# toolchain/image/keys.sh DIR [NAME]: a development PKI for signing RAUC
# bundles, made with openssl: DIR/ca.pem + ca.key (the CA the device trusts:
# its keyring), DIR/signing.pem + signing.key (the key that signs bundles,
# issued by that CA). Files that exist are kept, so every bundle built on this
# machine verifies against the keyring baked into its images.
#
# Development only: the private keys stay under a build directory and are
# never committed. The operator's real signing key is passed to
# `toolchain/dev bundle --key K --cert C` and its CA to `image --keyring`.
set -euo pipefail

dir="${1:?usage: keys.sh DIR [CN-PREFIX]}"
cn="${2:-HallKiosk development}"
mkdir -p "$dir"
chmod 700 "$dir"
cd "$dir"

if [ ! -s ca.pem ] || [ ! -s ca.key ]; then
    # EC P-256: small signatures, fast to verify on the device
    openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
    chmod 600 ca.key
    openssl req -x509 -new -key ca.key -sha256 -days 3650 -subj "/O=HallKiosk/CN=$cn update CA" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -addext "subjectKeyIdentifier=hash" -out ca.pem
    rm -f signing.pem   # a new CA: the old signing certificate no longer chains
fi

if [ ! -s signing.pem ] || [ ! -s signing.key ]; then
    openssl ecparam -name prime256v1 -genkey -noout -out signing.key 2>/dev/null
    chmod 600 signing.key
    openssl req -new -key signing.key -subj "/O=HallKiosk/CN=$cn bundle signer" -out signing.csr
    cat > signing.ext <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EXT
    openssl x509 -req -in signing.csr -CA ca.pem -CAkey ca.key -CAcreateserial -sha256 \
        -days 1825 -extfile signing.ext -out signing.pem 2>/dev/null
    rm -f signing.csr signing.ext ca.srl
fi
