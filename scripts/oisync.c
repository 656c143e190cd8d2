/* oisync.c - the admin command's entry point; the commands live in lib/admin.c. */
#include "admin.h"

int main(int argc, char **argv)
{
	return ois_admin_main(argc, argv);
}
