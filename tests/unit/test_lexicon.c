/*
 * Unit tests for plugins/lexicon/lexicon.c with the shipped word lists
 * (plugins/lexicon/lexicon-*.txt) and short examples of our own, one
 * group for each thing the classifier is meant to handle: case, German
 * inflection and compounds, umlaut and ß spellings, repeated letters,
 * masking and leetspeak, negation, abuse aimed at the reader, threats,
 * shouting, languages, site terms and allow-lists, and the file format.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lexicon.h"

#define HOSTILE		0.5	/* [model] hostile_threshold */
#define SEVERE		0.8	/* [advice] recovery_severity */

static struct lexicon	*lx;
static char		 dir[64];

static const char *
data_dir(void)
{
	static char	 path[4096];
	const char	*d;

	if ((d = getenv("LEXICON_DATA")) != NULL && *d != '\0')
		return (d);
	if ((d = getenv("TOP_SRCDIR")) != NULL && *d != '\0') {
		snprintf(path, sizeof path, "%s/plugins/lexicon", d);
		return (path);
	}
	return ("../plugins/lexicon");
}

static int
setup(void **state)
{
	char	path[4096], *err = NULL;

	(void)state;
	lx = lexicon_new();
	snprintf(path, sizeof path, "%s/lexicon-de.txt", data_dir());
	if (lexicon_load_file(lx, path, LEXICON_DE, &err) == -1) {
		fprintf(stderr, "%s\n", err);
		return (-1);
	}
	snprintf(path, sizeof path, "%s/lexicon-en.txt", data_dir());
	if (lexicon_load_file(lx, path, LEXICON_EN, &err) == -1) {
		fprintf(stderr, "%s\n", err);
		return (-1);
	}
	snprintf(dir, sizeof dir, "/tmp/respite-test-lexicon.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return (-1);
	return (0);
}

static int
teardown(void **state)
{
	char	cmd[128];

	(void)state;
	lexicon_free(lx);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return (system(cmd) == 0 ? 0 : -1);
}

static struct lexicon_result
judge(const char *lang, const char *text)
{
	struct lexicon_result	r;

	lexicon_classify(lx, text, strlen(text), lang, &r);
	return (r);
}

static double
sev(const char *lang, const char *text)
{
	return (judge(lang, text).severity);
}

#define assert_hostile(lang, text) do {					\
	double	s_ = sev(lang, text);					\
	if (s_ < HOSTILE)						\
		fail_msg("\"%s\": severity %.2f, expected >= %.2f",	\
		    text, s_, HOSTILE);					\
} while (0)
#define assert_harmless(lang, text) do {				\
	double	s_ = sev(lang, text);					\
	if (s_ >= HOSTILE)						\
		fail_msg("\"%s\": severity %.2f, expected < %.2f",	\
		    text, s_, HOSTILE);					\
} while (0)
#define assert_severe(lang, text) do {					\
	double	s_ = sev(lang, text);					\
	if (s_ < SEVERE)						\
		fail_msg("\"%s\": severity %.2f, expected >= %.2f",	\
		    text, s_, SEVERE);					\
} while (0)
#define assert_same(lang, a, b) do {					\
	double	sa_ = sev(lang, a), sb_ = sev(lang, b);			\
	if (sa_ != sb_ || sa_ == 0)					\
		fail_msg("\"%s\" %.3f and \"%s\" %.3f should be equal "	\
		    "and > 0", a, sa_, b, sb_);				\
} while (0)
#define assert_above(lang, a, b) do {					\
	double	sa_ = sev(lang, a), sb_ = sev(lang, b);			\
	if (!(sa_ > sb_))						\
		fail_msg("\"%s\" %.3f should be above \"%s\" %.3f", a,	\
		    sa_, b, sb_);					\
} while (0)

static void
test_harmless(void **state)
{
	static const char *const de[] = {
		"Vielen Dank für Ihre schnelle Hilfe!",
		"Mein Paket ist seit drei Wochen nicht angekommen.",
		"Können Sie mir bitte die Rechnung noch einmal schicken?",
		"Der Marsch durch die Stadt war schön.",
		"Ich schaffe das heute nicht mehr, ich melde mich morgen.",
		"Das ist idiotensicher erklärt, danke.",
		"Dummerweise habe ich die falsche Größe bestellt.",
		"",
	};
	static const char *const en[] = {
		"Thank you so much for your help!",
		"My order has not arrived yet, can you check the status?",
		"I need to pass the class assessment, where is my glass?",
		"I will find you a better plan tomorrow, said the agent.",
		"The therapist was very helpful.",
		"Could you send the invoice again please",
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof de / sizeof de[0]; i++) {
		assert_harmless("de", de[i]);
		assert_harmless("", de[i]);
	}
	for (i = 0; i < sizeof en / sizeof en[0]; i++) {
		assert_harmless("en", en[i]);
		assert_harmless("", en[i]);
	}
}

static void
test_case(void **state)
{
	(void)state;
	assert_same("de", "so ein idiot", "so ein Idiot");
	assert_same("de", "so ein Idiot", "so ein iDiOt");
	assert_same("en", "what an idiot", "what an Idiot");
	assert_hostile("de", "so ein Idiot");
}

static void
test_inflection(void **state)
{
	(void)state;
	assert_hostile("de", "Das sind alles Idioten");
	assert_hostile("de", "Die Idiotin am Telefon");
	assert_hostile("de", "lauter Arschlöcher hier");
	assert_hostile("de", "was für ein dummer Laden");
	assert_hostile("en", "bunch of idiots");
	assert_hostile("en", "those morons again");
}

static void
test_compounds(void **state)
{
	(void)state;
	assert_hostile("de", "Was für ein Vollidiot");
	assert_hostile("de", "Das ist ein Scheißladen");
	assert_hostile("de", "dieser Drecksladen");
	assert_hostile("de", "Idiotenverein, alle zusammen");
	assert_hostile("de", "So ein Vollpfosten");
	assert_hostile("de", "Scheiß-Service");
	/* A compound head of one or two letters is not one: M|arsch. */
	assert_harmless("de", "Einmarsch am Morgen");
	assert_harmless("de", "Die Giraffen im Zoo");
}

static void
test_umlauts(void **state)
{
	(void)state;
	assert_same("de", "Arschlöcher", "Arschloecher");
	assert_same("de", "Scheiße", "Scheisse");
	assert_same("de", "das ist dämlich", "das ist daemlich");
	assert_same("de", "Scheißladen", "Scheissladen");
	assert_same("de", "Scheiße", "Scheiẞe");
}

static void
test_repeated_letters(void **state)
{
	(void)state;
	assert_same("en", "fuck", "fuuuuuck");
	assert_same("de", "Idiot", "Idioooooot");
	assert_same("de", "Scheisse", "Scheiiiiiisse");
	assert_same("en", "ass", "asssss");
}

static void
test_masking(void **state)
{
	(void)state;
	assert_same("en", "fuck", "f*ck");
	assert_same("en", "fuck", "f**k");
	assert_same("en", "ass", "a$$");
	assert_same("en", "asshole", "a$$hole");
	assert_same("de", "scheiss laden", "sch31ss laden");
	assert_same("en", "shit", "sh!t");
	assert_same("de", "Idiot", "1diot");
	assert_hostile("en", "f*** you");
	/* Punctuation is not masking, and a price is not a word. */
	assert_harmless("en", "Wow!!! $100 off?!");
}

static void
test_negation(void **state)
{
	(void)state;
	assert_hostile("de", "Sie sind dumm");
	assert_harmless("de", "Sie sind nicht dumm");
	assert_harmless("de", "Sie sind doch kein Idiot");
	assert_hostile("en", "you are stupid");
	assert_harmless("en", "you are not stupid");
	assert_harmless("en", "you are not that stupid");
	assert_harmless("de", "das ist gar nicht dumm");
	/* Past a comma the negation is over. */
	assert_hostile("de", "Das war nicht gut, Idiot");
	/* A slur or a strong insult is not undone by "no". */
	assert_hostile("en", "no bitches here");
}

static void
test_aimed_at_agent(void **state)
{
	(void)state;
	/* Aimed at the reader: above swearing in the air, high enough for
	 * a recovery break. */
	assert_severe("de", "Du bist ein Idiot");
	assert_severe("de", "Sie sind ein Idiot");
	assert_severe("de", "Sie Idiot");
	assert_severe("en", "you are an idiot");
	assert_severe("en", "you're a moron");
	assert_severe("en", "fuck you");
	assert_severe("de", "fick dich");
	assert_above("de", "Sie sind ein Idiot", "Der Typ ist ein Idiot");
	assert_above("en", "you are an idiot", "that guy is an idiot");
	assert_above("en", "fuck you", "fuck, the package is late");
	assert_above("de", "Du bist so dumm", "Scheiße, das Paket ist weg");
	/* General swearing counts, but less. */
	assert_hostile("de", "Scheiße, das Paket ist weg");
	assert_true(sev("de", "Scheiße, das Paket ist weg") < SEVERE);
	assert_true(judge("en", "you are an idiot").targeted == 1);
	/* "sie" (they) is not "Sie" (you). */
	assert_above("de", "Sie sind Idioten", "sie sind Idioten");
}

static void
test_threats(void **state)
{
	struct lexicon_result	r;

	(void)state;
	r = judge("de", "Ich weiß, wo du wohnst.");
	assert_true(r.severity >= 0.85);
	assert_true(r.categories & LEXICON_CAT_THREAT);
	assert_severe("de", "Ich weiß genau, wo Sie wohnen");
	assert_severe("de", "Ich bring dich um");
	assert_severe("de", "ich finde dich schon");
	assert_severe("en", "I will find you.");
	assert_severe("en", "I'll find you");
	assert_severe("en", "I know where you live");
	assert_severe("en", "I'm going to kill you");
	assert_severe("en", "kill yourself");
	/* Not threats. */
	assert_harmless("de", "Ich weiß nicht, wo Sie das Paket hingeschickt "
	    "haben.");
	assert_harmless("de", "Ich weiß, wo das Problem liegt.");
	assert_harmless("en", "I will find you a refund");
	assert_harmless("en", "I will not find you.");
	assert_harmless("en", "Did you get my email?");
}

static void
test_shouting(void **state)
{
	struct lexicon_result	r;

	(void)state;
	assert_above("de", "DU BIST EIN IDIOT", "du bist ein Idiot");
	assert_above("en", "you idiot!!!", "you idiot");
	assert_above("de", "SCHEISSE", "Scheiße");
	r = judge("de", "SCHEISSLADEN, ICH WILL MEIN GELD");
	assert_true(r.shouting);
	/* Shouting alone is loud, not hostile. */
	assert_true(sev("en", "WHERE IS MY PACKAGE!!!") == 0);
	assert_true(sev("de", "WO IST MEIN PAKET?!!!") == 0);
}

static void
test_categories(void **state)
{
	(void)state;
	assert_true(judge("de", "Idiot").categories & LEXICON_CAT_INSULT);
	assert_true(judge("de", "Scheiße").categories &
	    LEXICON_CAT_PROFANITY);
	assert_true(judge("en", "I will find you.").categories &
	    LEXICON_CAT_THREAT);
	assert_true(judge("en", "faggot").categories &
	    LEXICON_CAT_IDENTITY_ATTACK);
	assert_true(judge("en", "show me your tits").categories &
	    LEXICON_CAT_HARASSMENT);
	/* Swearing aimed at the reader is an insult too. */
	assert_true(judge("en", "fuck you").categories & LEXICON_CAT_INSULT);
	assert_true(judge("en", "thanks").categories == 0);
}

static void
test_languages(void **state)
{
	const char	*de = "So ein Mist, das ist doch nicht wahr";
	const char	*en = "The morning mist over the lake was lovely";

	(void)state;
	assert_int_equal(lexicon_detect(lx, de, strlen(de)), LEXICON_DE);
	assert_int_equal(lexicon_detect(lx, en, strlen(en)), LEXICON_EN);
	assert_int_equal(lexicon_detect(lx, "12345", 5), LEXICON_ANY);
	assert_int_equal(lexicon_lang_parse("de-AT"), LEXICON_DE);
	assert_int_equal(lexicon_lang_parse("en_GB"), LEXICON_EN);
	assert_int_equal(lexicon_lang_parse("fr"), LEXICON_ANY);
	assert_int_equal(lexicon_lang_parse("den"), LEXICON_ANY);
	/* "Mist" is swearing in German, weather in English. */
	assert_true(sev("de", "So ein Mist") > 0);
	assert_true(sev("en", en) == 0);
	assert_true(sev("", en) == 0);
	assert_true(sev("", de) > 0);
	assert_int_equal(judge("", de).lang, LEXICON_DE);
	/* A language we have no list for: both are tried. */
	assert_hostile("fr", "Quel idiot");
	/* German messages swear in English too. */
	assert_hostile("de", "Fuck, schon wieder kein Paket");
}

static void
test_mentions_and_links(void **state)
{
	(void)state;
	assert_harmless("en", "@idiot thanks for the help");
	assert_harmless("en", "see https://example.com/idiot/shit for help");
	assert_harmless("de", "Danke @Vollidiot123 für die Hilfe");
}

static void
write_file(const char *path, const char *text)
{
	FILE	*f;

	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void
test_site_terms_and_allow(void **state)
{
	struct lexicon	*l;
	char		 site[128], allow[128], *err = NULL;
	const char	*m = "Sie sind ein Blödmann-Banause, ein Depp";

	(void)state;
	snprintf(site, sizeof site, "%s/site.txt", dir);
	snprintf(allow, sizeof allow, "%s/allow.txt", dir);
	write_file(site, "# our own words\n"
	    "insult 0.7 *banause+\n"
	    "@lang en\n"
	    "threat 0.9 see you in the parking lot\n");
	write_file(allow, "# not insults here\nDepp\n\n");

	l = lexicon_new();
	assert_int_equal(lexicon_load_file(l, site, LEXICON_ANY, &err), 0);
	{
		struct lexicon_result	r;

		lexicon_classify(l, "Sie Kunstbanause", 16, "de", &r);
		assert_true(r.severity >= 0.69);
		lexicon_classify(l, "Sie Kunstbanause", 16, "en", &r);
		assert_true(r.severity >= HOSTILE);
		lexicon_classify(l, "I'll see you in the parking lot", 31,
		    "en", &r);
		assert_true(r.categories & LEXICON_CAT_THREAT);
		lexicon_classify(l, "I'll see you in the parking lot", 31,
		    "de", &r);
		assert_true(r.severity == 0);
	}
	lexicon_free(l);

	/* The allow-list silences a word of the shipped list. */
	assert_true(sev("de", "Sie Depp") >= SEVERE);
	l = lexicon_new();
	snprintf(site, sizeof site, "%s/lexicon-de.txt", data_dir());
	assert_int_equal(lexicon_load_file(l, site, LEXICON_DE, &err), 0);
	assert_int_equal(lexicon_load_allow(l, allow, &err), 0);
	{
		struct lexicon_result	r;

		lexicon_classify(l, "Sie Depp", 8, "de", &r);
		assert_true(r.severity == 0);
		lexicon_classify(l, m, strlen(m), "de", &r);
		assert_true(r.severity < SEVERE);
	}
	lexicon_free(l);
}

static void
test_file_errors(void **state)
{
	static const struct {
		const char	*line;
		const char	*msg;
	} bad[] = {
		{ "rude 0.5 idiot", "x.txt:7: unknown kind \"rude\"" },
		{ "insult 1.5 idiot", "x.txt:7: \"1.5\": the weight must be a "
		    "number from 0 to 1" },
		{ "insult 0.5", "x.txt:7: expected KIND WEIGHT PATTERN" },
		{ "insult 0.5 id1ot", "x.txt:7: \"id1ot\": only letters" },
		{ "insult 0.5 _ idiot", "x.txt:7: a phrase cannot start "
		    "with _" },
		{ "insult 0.5 du _", "x.txt:7: _ must stand between two "
		    "words" },
		{ "insult 0.5 du $ bist", "x.txt:7: $ can only end" },
		{ "target 9 du", "x.txt:7: \"9\": the weight must be a window "
		    "of 1 to 8 words" },
		{ "allow -", "x.txt:7: allow without a word" },
	};
	struct lexicon	*l;
	char		*err, path[128];
	size_t		 i;

	(void)state;
	l = lexicon_new();
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err = NULL;
		assert_int_equal(lexicon_add_line(l, bad[i].line, LEXICON_DE,
		    "x.txt", 7, &err), -1);
		assert_non_null(err);
		if (strncmp(err, bad[i].msg, strlen(bad[i].msg)) != 0)
			fail_msg("\"%s\": got \"%s\", expected \"%s...\"",
			    bad[i].line, err, bad[i].msg);
		free(err);
	}
	/* Comments and blank lines are fine. */
	assert_int_equal(lexicon_add_line(l, "  # nothing", LEXICON_DE,
	    "x.txt", 1, &err), 0);
	assert_int_equal(lexicon_add_line(l, "", LEXICON_DE, "x.txt", 1,
	    &err), 0);
	lexicon_free(l);

	l = lexicon_new();
	snprintf(path, sizeof path, "%s/bad.txt", dir);
	write_file(path, "insult 0.5 idiot\n@lang fr\n");
	err = NULL;
	assert_int_equal(lexicon_load_file(l, path, LEXICON_DE, &err), -1);
	assert_non_null(strstr(err, "bad.txt:2: @lang: expected de, en or "
	    "any"));
	free(err);
	err = NULL;
	snprintf(path, sizeof path, "%s/missing.txt", dir);
	assert_int_equal(lexicon_load_file(l, path, LEXICON_DE, &err), -1);
	assert_non_null(strstr(err, "missing.txt: No such file"));
	free(err);
	lexicon_free(l);
}

static void
test_long_message(void **state)
{
	char	*text;
	size_t	 i, n = 0, len = 16384;

	(void)state;
	/* More words than fit the stack: the heap path. */
	text = malloc(len + 1);
	assert_non_null(text);
	for (i = 0; n + 4 < len; i++)
		n += (size_t)snprintf(text + n, len + 1 - n, "%s ",
		    i == 1500 ? "Idiot" : "ok");
	assert_hostile("de", text);
	free(text);
	/* Bytes that are not UTF-8 and very long words. */
	assert_harmless("de", "\xff\xfe\xc3 abc \xe2\x82");
	assert_harmless("de", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaidiot");
}

/*
 * Issue 21, item 1: "a!" 80 times overflowed the word buffer (a '!'
 * between letters was appended without a bound) and killed respited.
 * Every way a byte joins a word is tried past the longest word.
 */
static void
test_long_words_every_way(void **state)
{
	static const char *const	 units[] = { "a!", "a0", "a@", "a*",
	    "a#", "a%", "a$", "a7", "\xc3\xa4", "\xc3\x9f", "a'", "a-" };
	char				 text[4096];
	size_t				 i, j, n;

	(void)state;
	for (i = 0; i < sizeof units / sizeof units[0]; i++) {
		for (j = 0, n = 0; j < 200; j++) {
			memcpy(text + n, units[i], strlen(units[i]));
			n += strlen(units[i]);
		}
		text[n] = '\0';
		/* Too long to be a word: nothing is read into it. */
		assert_harmless("en", text);
		/* And the word after it is still read. */
		snprintf(text + n, sizeof text - n, " you idiot");
		assert_hostile("en", text);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_harmless),
		cmocka_unit_test(test_case),
		cmocka_unit_test(test_inflection),
		cmocka_unit_test(test_compounds),
		cmocka_unit_test(test_umlauts),
		cmocka_unit_test(test_repeated_letters),
		cmocka_unit_test(test_masking),
		cmocka_unit_test(test_negation),
		cmocka_unit_test(test_aimed_at_agent),
		cmocka_unit_test(test_threats),
		cmocka_unit_test(test_shouting),
		cmocka_unit_test(test_categories),
		cmocka_unit_test(test_languages),
		cmocka_unit_test(test_mentions_and_links),
		cmocka_unit_test(test_site_terms_and_allow),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_long_message),
		cmocka_unit_test(test_long_words_every_way),
	};

	return (cmocka_run_group_tests_name("lexicon", tests, setup,
	    teardown));
}
