/* include/config.h.  Generated from config.h.in by configure.  */
/* config.h.in.  Generated from configure.in by autoheader.  */

/* "" */
#define AUTH_LOG 1

/* "" */
#define CLEAR_PASS 1

/* "" */
#define MD5_PASSWORDS 1

/* "" */
#define QMAIL_EXT 1

/* "" */
#define VPOPMAIL_DIR_BIN "/home/vpopmail/bin"

/* "" */
#define VPOPMAILUID 89

/* "" */
#define VPOPMAILGID 89
