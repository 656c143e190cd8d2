/* test_admin.c - the oisync admin command: users, config KEY, check, exit statuses. */
#include "unit.h"
#include "admin.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[] = "/tmp/oisync-admin-XXXXXX";

static void write_file(const char *name, const char *text, mode_t mode)
{
	char *path = ois_xasprintf("%s/%s", dir, name);
	FILE *fp = fopen(path, "w");
	CHECK(fp != NULL);
	fputs(text, fp);
	fclose(fp);
	chmod(path, mode);
	free(path);
}

/* Run ois_admin_main in a child (it closes stdout); its stdout into out. */
static int run(char *out, size_t size, const char *const *args)
{
	char *outpath = ois_xasprintf("%s/stdout", dir);
	char *argv[16];
	int argc = 0;
	argv[argc++] = (char *)"oisync";
	for (; *args && argc < 15; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int null = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		dup2(null, 2);
		if (chdir(dir))
			_exit(99);
		_exit(ois_admin_main(argc, argv));
	}
	int st = -1;
	waitpid(pid, &st, 0);
	FILE *fp = fopen(outpath, "r");
	size_t n = fp ? fread(out, 1, size - 1, fp) : 0;
	out[n] = '\0';
	if (fp)
		fclose(fp);
	unlink(outpath);
	free(outpath);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_commands(void)
{
	write_file("oisync.conf",
		   "[global]\nstate_dir = .\n"
		   "[server ex1]\nurl = https://ex1/EWS/Exchange.asmx\nusername = FIRM\\svc\nsecret_file = ex1.secret\n"
		   "[server ex2]\nurl = https://ex2/EWS/Exchange.asmx\nauth = negotiate\n"
		   "[interaction]\nurl = https://ia/api\nsecret_env = OISYNC_TEST_IA\n"
		   "[defaults]\nconflict = exchange-wins\n",
		   0644);
	write_file("users.conf",
		   "[user alice]\nmailbox = alice@x\nserver = ex1\n"
		   "[user bob]\nmailbox = bob@x\nserver = ex2\nenabled = no\n"
		   "[user carol]\nmailbox = carol@x\nserver = ex1\n",
		   0644);
	write_file("ex1.secret", "pw\n", 0600);
	write_file("bad.conf", "[global]\nstate_dir = .\nfrob = 1\n", 0644);
	setenv("OISYNC_TEST_IA", "token", 1);
	static const struct {
		const char *args[6];
		int status;
		const char *out; /* exact stdout, NULL: not checked */
	} cases[] = {
		{ { "-c", "oisync.conf", "users" }, 0,
		  "alice\talice@x\tex1\tyes\nbob\tbob@x\tex2\tno\ncarol\tcarol@x\tex1\tyes\n" },
		{ { "-c", "oisync.conf", "users", "--server", "ex1", "--enabled" }, 0,
		  "alice\talice@x\tex1\tyes\ncarol\tcarol@x\tex1\tyes\n" },
		{ { "-c", "oisync.conf", "users", "--enabled" }, 0,
		  "alice\talice@x\tex1\tyes\ncarol\tcarol@x\tex1\tyes\n" },
		{ { "-c", "oisync.conf", "users", "--server", "ex9" }, 78, "" },
		{ { "-c", "oisync.conf", "config", "server.ex1.url" }, 0, "https://ex1/EWS/Exchange.asmx\n" },
		{ { "-c", "oisync.conf", "config", "server.ex2.auth" }, 0, "negotiate\n" },
		{ { "-c", "oisync.conf", "config", "server.ex9.url" }, 78, "" },
		{ { "-c", "oisync.conf", "config", "interaction.url" }, 0, "https://ia/api\n" },
		{ { "-c", "oisync.conf", "config", "defaults.conflict" }, 0, "exchange-wins\n" },
		{ { "-c", "oisync.conf", "config", "servers" }, 0, "ex1\nex2\n" },
		{ { "-c", "oisync.conf", "config", "server.ex1.ca_file" }, 1, "" },
		{ { "-c", "oisync.conf", "config", "colour" }, 64, "" },
		{ { "-c", "oisync.conf", "config" }, 64, "" },
		{ { "-c", "oisync.conf", "check" }, 0, "oisync.conf: ok: 2 servers, 3 users (2 enabled)\n" },
		{ { "-c", "bad.conf", "users" }, 78, "" },
		{ { "-c", "missing.conf", "check" }, 78, "" },
		{ { "-c", "oisync.conf", "frob" }, 64, "" },
		{ { "--frob" }, 64, "" },
		{ { 0 }, 64, "" },
		{ { "--version" }, 0, "oisync (oisync) " OIS_VERSION "\n" },
		{ { "--help" }, 0, NULL },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		char out[4096];
		int st = run(out, sizeof(out), cases[i].args);
		if (st != cases[i].status || (cases[i].out && strcmp(out, cases[i].out)))
			unit_fail(__FILE__, __LINE__, "case %zu (%s %s)\n#   got:  %d \"%s\"\n#   want: %d \"%s\"", i,
				  cases[i].args[0] ? cases[i].args[0] : "", cases[i].args[2] ? cases[i].args[2] : "",
				  st, out, cases[i].status, cases[i].out ? cases[i].out : "(any)");
	}
	/* check reports a secret it cannot use. */
	write_file("ex1.secret", "pw\n", 0644);
	char out[4096];
	const char *const args[] = { "-c", "oisync.conf", "check", NULL };
	CHECK_INT(run(out, sizeof(out), args), 78);
	write_file("ex1.secret", "pw\n", 0600);
	unsetenv("OISYNC_TEST_IA");
	CHECK_INT(run(out, sizeof(out), args), 78);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	UNIT_RUN(test_commands);
	char *cmd = ois_xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		perror("rm");
	free(cmd);
	return unit_done();
}
