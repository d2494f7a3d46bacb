/*
 * respite - fuzz target: the configuration file (daemon/common/config.c, libinih
 * through our line-counting reader) as respited -c and SIGHUP read it.
 *
 * config_load() opens a path, so the input is written to a memfd and
 * read as /proc/self/fd/N (a temporary file where there is no memfd).
 * An error must name that path and a line; a configuration that loads
 * must have listen addresses the daemon can bind, and each [plugin.NAME]
 * section goes through what every webhook adapter's init does with it
 * (wh_config_parse(), plugins/common/webhook.c), its "agents" file
 * being this same input, so the agents file parser is fuzzed too.
 */
#include "build.h"

#include <sys/mman.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <respite/plugin.h>

#include "config.h"
#include "fuzz.h"
#include "log.h"
#include "plugins.h"
#include "secret.h"
#include "webhook.h"

static int	 fuzz_fd = -1;
static char	 fuzz_path[64];

static void
fuzz_file_init(void)
{
	const char	*tmp;
	char		 t[4096];

	static const uint8_t	key[SECRET_INSTALL_LEN] = { 0x52, 0x53 };

	/* Keep the warnings of the code under test out of the output. */
	log_init(LOG_TO_STDERR, LOG_LEVEL_ERROR);
	/* As respited before it loads the adapters. */
	plugins_set_install_secret(key);
	if ((fuzz_fd = memfd_create("respite-fuzz-config", 0)) != -1) {
		snprintf(fuzz_path, sizeof fuzz_path, "/proc/self/fd/%d",
		    fuzz_fd);
		if (access(fuzz_path, R_OK) == 0)
			return;
		close(fuzz_fd);
	}
	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(t, sizeof t, "%s/respite-fuzz-config.XXXXXX", tmp);
	if ((fuzz_fd = mkstemp(t)) == -1) {
		fprintf(stderr, "fuzz_config: %s: %s\n", t, strerror(errno));
		abort();
	}
	/* The name stays open through the descriptor; see fuzz_path. */
	snprintf(fuzz_path, sizeof fuzz_path, "/proc/self/fd/%d", fuzz_fd);
	if (access(fuzz_path, R_OK) != 0) {
		if (strlen(t) >= sizeof fuzz_path)
			abort();
		snprintf(fuzz_path, sizeof fuzz_path, "%s", t);
	} else
		unlink(t);
}

static void
fuzz_file_set(const uint8_t *data, size_t size)
{
	size_t	off = 0;
	ssize_t	n;

	if (ftruncate(fuzz_fd, 0) == -1)
		abort();
	while (off < size) {
		if ((n = pwrite(fuzz_fd, data + off, size - off,
		    (off_t)off)) <= 0)
			abort();
		off += (size_t)n;
	}
}

/* A [plugin.NAME] section as the loader hands it to an adapter. */
static void
fuzz_section(const struct config_section *sec)
{
	struct respite_config_item	*items;
	struct respite_plugin_config	 pc;
	struct wh_config		 wc;
	char				*error = NULL;
	size_t				 i;

	items = calloc(sec->nitems + 1, sizeof *items);
	FUZZ_CHECK(items != NULL);
	for (i = 0; i < sec->nitems; i++) {
		items[i].key = sec->items[i].key;
		/* Only ever our own input as the agents or secret file. */
		items[i].value = strcmp(sec->items[i].key, "agents") == 0 ||
		    strcmp(sec->items[i].key, "secret_file") == 0 ?
		    fuzz_path : sec->items[i].value;
		items[i].line = sec->items[i].line;
	}
	memset(&pc, 0, sizeof pc);
	pc.name = sec->name;
	pc.items = items;
	pc.nitems = sec->nitems;
	if (wh_config_parse(&pc, NULL, &wc, &error) == 0) {
		FUZZ_CHECK(error == NULL);
		for (i = 0; i < wc.nagents; i++) {
			FUZZ_CHECK(*wc.agents[i].key != '\0');
			FUZZ_CHECK(*wc.agents[i].agent != '\0');
		}
		FUZZ_SAY("[plugin.%s]: %zu agents", sec->name, wc.nagents);
		wh_config_clear(&wc);
	} else {
		FUZZ_CHECK(error != NULL);
		FUZZ_SAY("[plugin.%s]: %s", sec->name, error);
	}
	free(error);
	free(items);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config		*cf;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	char			*cause = NULL;
	size_t			 i, n;

	if (fuzz_fd == -1)
		fuzz_file_init();
	fuzz_file_set(data, size);
	if ((cf = config_load(fuzz_path, &cause)) == NULL) {
		/* "FILE:LINE: message" or "FILE: why" */
		FUZZ_CHECK(cause != NULL);
		n = strlen(fuzz_path);
		FUZZ_CHECK(strncmp(cause, fuzz_path, n) == 0 &&
		    cause[n] == ':');
		FUZZ_SAY("%s", cause);
		free(cause);
		return (0);
	}
	FUZZ_CHECK(cause == NULL);
	FUZZ_SAY("loaded: %zu listen, %zu plugins, %zu sections", cf->nlisten,
	    cf->nplugins_load, cf->nplugin_sections);
	FUZZ_CHECK(cf->nlisten >= 1 && cf->nlisten <= CONFIG_LISTEN_MAX);
	for (i = 0; i < cf->nlisten; i++)
		FUZZ_CHECK(config_listen_addr(cf->listen[i], &ss,
		    &sslen) == 0);
	for (i = 0; i < cf->nplugins_load; i++)
		FUZZ_CHECK(config_plugin_name_valid(cf->plugins_load[i]));
	for (i = 0; i < cf->nplugin_sections; i++) {
		FUZZ_CHECK(config_plugin_section(cf,
		    cf->plugin_sections[i].name) == &cf->plugin_sections[i]);
		fuzz_section(&cf->plugin_sections[i]);
	}
	config_free(cf);
	return (0);
}
