/*
 * uuid: random (version 4) UUIDs from the kernel's getrandom(), the ids
 * that let a journal event be recognised again after it left the device
 * (the central server de-duplicates on them). No state, no allocation.
 */
#ifndef HK_APP_CORE_UUID_H
#define HK_APP_CORE_UUID_H

#include "hk_err.h"

#define UUID_STR_LEN 37 /* 36 characters + NUL */

/**
 * Write a fresh v4 UUID, lower-case "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
 * Blocks only in early boot until the kernel's pool is initialised.
 * @param out  receives the text; written only on HK_OK.
 * @return HK_ERR_IO when the kernel gives no randomness.
 * Thread-safe.
 */
hk_err_t uuid_v4(char out[UUID_STR_LEN]);

#endif
