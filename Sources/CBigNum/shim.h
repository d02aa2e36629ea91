// OpenSSL's arbitrary-precision integers, for the MODEXP precompile (EIP-198).
#include <openssl/bn.h>
