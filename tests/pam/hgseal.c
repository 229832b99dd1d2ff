/*
 * hgseal: seal a base32 TOTP secret for a user with a seed key, as the
 * sealed form of a seed file stores it.  For tests only.
 *   hgseal KEYFILE USER BASE32SECRET  ->  prints "sealed:..."
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <liboath/oath.h>
#include <sodium.h>

#include "secure.h"

int
main(int argc, char **argv)
{
	unsigned char key[SECURE_KEY_BYTES];
	struct hg_msg msg;
	char *bin = NULL, *sealed = NULL;
	size_t len = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: hgseal keyfile user base32secret\n");
		return 2;
	}
	if (sodium_init() < 0 || oath_init() != OATH_OK)
		return 1;
	if (secure_key_load(argv[1], geteuid(), key, &msg) != 0) {
		fprintf(stderr, "hgseal: %s\n", msg.text);
		return 1;
	}
	if (oath_base32_decode(argv[3], strlen(argv[3]), &bin, &len) !=
	    OATH_OK || secure_seal(key, argv[2], (unsigned char *)bin, len,
	    &sealed) != 0) {
		fprintf(stderr, "hgseal: cannot seal\n");
		return 1;
	}
	printf("%s\n", sealed);
	sodium_memzero(bin, len);
	free(bin);
	free(sealed);
	sodium_memzero(key, sizeof(key));
	return 0;
}
