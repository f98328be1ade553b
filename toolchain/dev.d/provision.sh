# toolchain/dev.d/provision.sh: PROVISION (issue 9.4), hall-central's enrolment and
# `hallctl provision`. GnuTLS signs the device certificates (hall-central) and makes
# the device key and CSR (hallctl); certtool makes the tests' CAs. Its tests
# (tests/provision, label "provision") run in the test command's ctest steps.
PKGS+=(libgnutls28-dev gnutls-bin)
