/*
 * cmd_provision: `hallctl provision` (tools/hallctl/provision.c), and the
 * PIN hash it shares with `hallctl hash-pin`.
 */
#ifndef HK_TOOLS_HALLCTL_CMD_PROVISION_H
#define HK_TOOLS_HALLCTL_CMD_PROVISION_H

#include <stddef.h>

#define HALLCTL_PIN_HASH_LEN 128 /* >= crypto_pwhash_STRBYTES */

/**
 * Argon2id hash of a PIN (libsodium crypto_pwhash_str, t=2, m=19 MiB, p=1:
 * OWASP's minimum), the form config staff[].pin_hash and engineer.pin_hash take.
 * @return 0; -1 out of memory (or libsodium cannot start).
 */
int hallctl_pin_hash(const char *pin, size_t len, char out[HALLCTL_PIN_HASH_LEN]);

/**
 * hallctl provision ARGS… (docs/hallctl.md): argv[0] is the first option.
 * @return the exit code: 0 provisioned and both checks passed; 1 provisioned
 *         but a check failed (the report says which), or another failure;
 *         2 usage; 3 refused by hall-central (a bad code, CN …: nothing
 *         written); 4 hall-central unreachable or its certificate not
 *         trusted (nothing written).
 */
int hallctl_provision(int argc, char **argv);

/**
 * hallctl update --config FILE --data-dir DIR: the update head office
 * announced (updater.h), with the config as hallkiosk reads it (its
 * provision.json overlay included).
 * @return 0 installed or nothing to do; 1 failed (stderr says why); 2 usage.
 */
int hallctl_update(int argc, char **argv);

#endif
