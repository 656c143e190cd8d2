/* test_person_name.c - the name splitter (lib/person_name.c) and its hook in the normalizer, case by case. */
#include "unit.h"
#include "buf.h"
#include "canonjson.h"
#include "normalize.h"
#include "person_name.h"
#include "record.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>

struct name_case {
	const char *in;
	enum ois_name_entity entity;
	const char *prefix, *first, *middle, *last, *suffix, *nickname;
};

/* A person: prefix, first, middle, last, suffix, nickname (NULL: empty). */
#define P(in, pre, fi, mi, la, su, ni) { in, OIS_NAME_PERSON, pre, fi, mi, la, su, ni }
/* No person: kept whole. */
#define NOT(in, what) { in, OIS_NAME_##what, NULL, NULL, NULL, NULL, NULL, NULL }

static const struct name_case cases[] = {
	/* Plain names and single words. */
	P("John Smith", NULL, "John", NULL, "Smith", NULL, NULL),
	P("Mary Ann Smith", NULL, "Mary", "Ann", "Smith", NULL, NULL),
	P("John Paul George Ringo", NULL, "John", "Paul George", "Ringo", NULL, NULL),
	P("Madonna", NULL, "Madonna", NULL, NULL, NULL, NULL),
	P("Cher", NULL, "Cher", NULL, NULL, NULL, NULL),
	P("Zoë Kravitz", NULL, "Zoë", NULL, "Kravitz", NULL, NULL),
	P("Björk Guðmundsdóttir", NULL, "Björk", NULL, "Guðmundsdóttir", NULL, NULL),
	P("François Hollande", NULL, "François", NULL, "Hollande", NULL, NULL),
	P("José María Aznar", NULL, "José", "María", "Aznar", NULL, NULL),
	P("Ngô Đình Diệm", NULL, "Ngô", "Đình", "Diệm", NULL, NULL),
	/* Titles, with and without dots; several; military; "The Hon.". */
	P("Dr. John Smith", "Dr.", "John", NULL, "Smith", NULL, NULL),
	P("Dr John Smith", "Dr", "John", NULL, "Smith", NULL, NULL),
	P("Mr. John Smith", "Mr.", "John", NULL, "Smith", NULL, NULL),
	P("Mr John Smith", "Mr", "John", NULL, "Smith", NULL, NULL),
	P("Mrs. Jane Smith", "Mrs.", "Jane", NULL, "Smith", NULL, NULL),
	P("Mrs Jane Smith", "Mrs", "Jane", NULL, "Smith", NULL, NULL),
	P("Ms. Jane Doe", "Ms.", "Jane", NULL, "Doe", NULL, NULL),
	P("Ms Jane Doe", "Ms", "Jane", NULL, "Doe", NULL, NULL),
	P("Mx. Sam Taylor", "Mx.", "Sam", NULL, "Taylor", NULL, NULL),
	P("Mx Sam Taylor", "Mx", "Sam", NULL, "Taylor", NULL, NULL),
	P("Miss Ellen Page", "Miss", "Ellen", NULL, "Page", NULL, NULL),
	P("Prof. Albert Einstein", "Prof.", "Albert", NULL, "Einstein", NULL, NULL),
	P("Prof Albert Einstein", "Prof", "Albert", NULL, "Einstein", NULL, NULL),
	P("Professor Stephen Hawking", "Professor", "Stephen", NULL, "Hawking", NULL, NULL),
	P("Prof. Dr. Hans-Peter Müller", "Prof. Dr.", "Hans-Peter", NULL, "Müller", NULL, NULL),
	P("Hon. Ruth Bader Ginsburg", "Hon.", "Ruth", "Bader", "Ginsburg", NULL, NULL),
	P("The Hon. John Roberts", "The Hon.", "John", NULL, "Roberts", NULL, NULL),
	P("Judge Judith Sheindlin", "Judge", "Judith", NULL, "Sheindlin", NULL, NULL),
	P("Sir Elton John", "Sir", "Elton", NULL, "John", NULL, NULL),
	P("Dame Judi Dench", "Dame", "Judi", NULL, "Dench", NULL, NULL),
	P("Rev. Martin Luther King Jr.", "Rev.", "Martin", "Luther", "King", "Jr.", NULL),
	P("Rev Jesse Jackson", "Rev", "Jesse", NULL, "Jackson", NULL, NULL),
	P("Reverend Al Sharpton", "Reverend", "Al", NULL, "Sharpton", NULL, NULL),
	P("Gen. George Patton", "Gen.", "George", NULL, "Patton", NULL, NULL),
	P("Col. Harland Sanders", "Col.", "Harland", NULL, "Sanders", NULL, NULL),
	P("Lt. Col. Oliver North", "Lt. Col.", "Oliver", NULL, "North", NULL, NULL),
	P("Maj. Gen. John Doe", "Maj. Gen.", "John", NULL, "Doe", NULL, NULL),
	P("Capt. James Kirk", "Capt.", "James", NULL, "Kirk", NULL, NULL),
	P("Captain Jean-Luc Picard", "Captain", "Jean-Luc", NULL, "Picard", NULL, NULL),
	P("Sgt. Pepper", "Sgt.", NULL, NULL, "Pepper", NULL, NULL),
	P("Adm. Grace Hopper", "Adm.", "Grace", NULL, "Hopper", NULL, NULL),
	P("Cmdr. Chris Hadfield", "Cmdr.", "Chris", NULL, "Hadfield", NULL, NULL),
	P("Dr. Who", "Dr.", NULL, NULL, "Who", NULL, NULL),
	P("Mr. Smith", "Mr.", NULL, NULL, "Smith", NULL, NULL),
	P("Herr Klaus Schmidt", "Herr", "Klaus", NULL, "Schmidt", NULL, NULL),
	P("Mme. Marie Curie", "Mme.", "Marie", NULL, "Curie", NULL, NULL),
	P("Sen. Bernie Sanders", "Sen.", "Bernie", NULL, "Sanders", NULL, NULL),
	P("DR. JOHN SMITH", "DR.", "JOHN", NULL, "SMITH", NULL, NULL),
	P("dr. john smith", "dr.", "john", NULL, "smith", NULL, NULL),
	/* Suffixes and post-nominals. */
	P("John Smith Jr.", NULL, "John", NULL, "Smith", "Jr.", NULL),
	P("John Smith Jr", NULL, "John", NULL, "Smith", "Jr", NULL),
	P("John Smith, Jr.", NULL, "John", NULL, "Smith", "Jr.", NULL),
	P("John Smith Sr.", NULL, "John", NULL, "Smith", "Sr.", NULL),
	P("John Smith, Sr", NULL, "John", NULL, "Smith", "Sr", NULL),
	P("John Smith II", NULL, "John", NULL, "Smith", "II", NULL),
	P("John Smith III", NULL, "John", NULL, "Smith", "III", NULL),
	P("John Smith IV", NULL, "John", NULL, "Smith", "IV", NULL),
	P("John Smith, III", NULL, "John", NULL, "Smith", "III", NULL),
	P("John Smith, Esq.", NULL, "John", NULL, "Smith", "Esq.", NULL),
	P("John Smith Esq", NULL, "John", NULL, "Smith", "Esq", NULL),
	P("Jane Doe, KC", NULL, "Jane", NULL, "Doe", "KC", NULL),
	P("Jane Doe QC", NULL, "Jane", NULL, "Doe", "QC", NULL),
	P("Gregory House, MD", NULL, "Gregory", NULL, "House", "MD", NULL),
	P("Gregory House M.D.", NULL, "Gregory", NULL, "House", "M.D.", NULL),
	P("Jane Doe, PhD", NULL, "Jane", NULL, "Doe", "PhD", NULL),
	P("Jane Doe Ph.D.", NULL, "Jane", NULL, "Doe", "Ph.D.", NULL),
	P("Jane Doe, CPA", NULL, "Jane", NULL, "Doe", "CPA", NULL),
	P("Jane Doe, LL.M.", NULL, "Jane", NULL, "Doe", "LL.M.", NULL),
	P("Jane Doe, JD, LL.M.", NULL, "Jane", NULL, "Doe", "JD, LL.M.", NULL),
	P("John Smith, Jr., Esq.", NULL, "John", NULL, "Smith", "Jr., Esq.", NULL),
	P("John Smith Jr. PhD", NULL, "John", NULL, "Smith", "Jr., PhD", NULL),
	P("Jane Doe, MBA, CPA, CFA", NULL, "Jane", NULL, "Doe", "MBA, CPA, CFA", NULL),
	P("Elton John CBE", NULL, "Elton", NULL, "John", "CBE", NULL),
	P("Dr. Maria de la Cruz-López, PhD", "Dr.", "Maria", NULL, "de la Cruz-López", "PhD", NULL),
	P("Dr. Jane Doe, MD, PhD", "Dr.", "Jane", NULL, "Doe", "MD, PhD", NULL),
	P("Smith Jr", NULL, NULL, NULL, "Smith", "Jr", NULL),
	P("Yo-Yo Ma", NULL, "Yo-Yo", NULL, "Ma", NULL, NULL),
	P("Jack Ma", NULL, "Jack", NULL, "Ma", NULL, NULL),
	P("Anna Do", NULL, "Anna", NULL, "Do", NULL, NULL),
	P("Peter Pe", NULL, "Peter", NULL, "Pe", NULL, NULL),
	P("Henry Ford II", NULL, "Henry", NULL, "Ford", "II", NULL),
	P("Louis Iv", NULL, "Louis", NULL, "Iv", NULL, NULL),
	/* "Last, First Middle". */
	P("Smith, John", NULL, "John", NULL, "Smith", NULL, NULL),
	P("Smith, John Paul", NULL, "John", "Paul", "Smith", NULL, NULL),
	P("Smith,John", NULL, "John", NULL, "Smith", NULL, NULL),
	P("O'Brien, Seán P.", NULL, "Seán", "P.", "O'Brien", NULL, NULL),
	P("Smith, J.", NULL, "J.", NULL, "Smith", NULL, NULL),
	P("Smith, John, Jr.", NULL, "John", NULL, "Smith", "Jr.", NULL),
	P("Smith Jr., John", NULL, "John", NULL, "Smith", "Jr.", NULL),
	P("Smith, Dr. John", "Dr.", "John", NULL, "Smith", NULL, NULL),
	P("Smith, John A., Esq.", NULL, "John", "A.", "Smith", "Esq.", NULL),
	P("van Beethoven, Ludwig", NULL, "Ludwig", NULL, "van Beethoven", NULL, NULL),
	P("García López, María", NULL, "María", NULL, "García López", NULL, NULL),
	P("de la Cruz, Juan", NULL, "Juan", NULL, "de la Cruz", NULL, NULL),
	P("SMITH, John", NULL, "John", NULL, "SMITH", NULL, NULL),
	P("Doe, Jane (Janie)", NULL, "Jane", NULL, "Doe", NULL, "Janie"),
	P("Jones, Robert \"Bob\"", NULL, "Robert", NULL, "Jones", NULL, "Bob"),
	P("Smith-Jones, Anna", NULL, "Anna", NULL, "Smith-Jones", NULL, NULL),
	/* "LAST First". */
	P("SMITH John", NULL, "John", NULL, "SMITH", NULL, NULL),
	P("SMITH John Paul", NULL, "John", "Paul", "SMITH", NULL, NULL),
	P("MÜLLER Hans", NULL, "Hans", NULL, "MÜLLER", NULL, NULL),
	P("GARCÍA LÓPEZ María", NULL, "María", NULL, "GARCÍA LÓPEZ", NULL, NULL),
	P("VAN DER BERG Jan", NULL, "Jan", NULL, "VAN DER BERG", NULL, NULL),
	P("DE GAULLE Charles", NULL, "Charles", NULL, "DE GAULLE", NULL, NULL),
	P("JOHN SMITH", NULL, "JOHN", NULL, "SMITH", NULL, NULL),
	P("JR Smith", NULL, "JR", NULL, "Smith", NULL, NULL),
	P("TAN Ah Kow", NULL, "Ah", "Kow", "TAN", NULL, NULL),
	P("Mr. SMITH John", "Mr.", "John", NULL, "SMITH", NULL, NULL),
	/* Particles. */
	P("Ludwig van Beethoven", NULL, "Ludwig", NULL, "van Beethoven", NULL, NULL),
	P("Vincent van Gogh", NULL, "Vincent", NULL, "van Gogh", NULL, NULL),
	P("Jan van der Berg", NULL, "Jan", NULL, "van der Berg", NULL, NULL),
	P("Johannes van den Bosch", NULL, "Johannes", NULL, "van den Bosch", NULL, NULL),
	P("Charles de Gaulle", NULL, "Charles", NULL, "de Gaulle", NULL, NULL),
	P("Juan de la Cruz", NULL, "Juan", NULL, "de la Cruz", NULL, NULL),
	P("Guillermo del Toro", NULL, "Guillermo", NULL, "del Toro", NULL, NULL),
	P("Leonardo di Caprio", NULL, "Leonardo", NULL, "di Caprio", NULL, NULL),
	P("Leonardo da Vinci", NULL, "Leonardo", NULL, "da Vinci", NULL, NULL),
	P("Ursula von der Leyen", NULL, "Ursula", NULL, "von der Leyen", NULL, NULL),
	P("Otto von Bismarck", NULL, "Otto", NULL, "von Bismarck", NULL, NULL),
	P("Abdullah bin Zayed", NULL, "Abdullah", NULL, "bin Zayed", NULL, NULL),
	P("Mohammed bin Rashid Al Maktoum", NULL, "Mohammed", NULL, "bin Rashid Al Maktoum", NULL, NULL),
	P("Omar ibn Said", NULL, "Omar", NULL, "ibn Said", NULL, NULL),
	P("Khalid al-Falih", NULL, "Khalid", NULL, "al-Falih", NULL, NULL),
	P("Saud Al Faisal", NULL, "Saud", NULL, "Al Faisal", NULL, NULL),
	P("Conan O'Brien", NULL, "Conan", NULL, "O'Brien", NULL, NULL),
	P("Sinead O' Connor", NULL, "Sinead", NULL, "O' Connor", NULL, NULL),
	P("Conan O’Brien", NULL, "Conan", NULL, "O’Brien", NULL, NULL),
	P("Ewan MacGregor", NULL, "Ewan", NULL, "MacGregor", NULL, NULL),
	P("Ewan Mac Gregor", NULL, "Ewan", NULL, "Mac Gregor", NULL, NULL),
	P("Paul McCartney", NULL, "Paul", NULL, "McCartney", NULL, NULL),
	P("Dick Van Dyke", NULL, "Dick", NULL, "Van Dyke", NULL, NULL),
	P("Van Morrison", NULL, "Van", NULL, "Morrison", NULL, NULL),
	P("Anna De Luca", NULL, "Anna", NULL, "De Luca", NULL, NULL),
	P("José Ortega y Gasset", NULL, "José", "Ortega", "y Gasset", NULL, NULL),
	P("Maria dos Santos", NULL, "Maria", NULL, "dos Santos", NULL, NULL),
	P("Mary Ann de la Cruz", NULL, "Mary", "Ann", "de la Cruz", NULL, NULL),
	P("Pierre-Auguste Le Blanc", NULL, "Pierre-Auguste", NULL, "Le Blanc", NULL, NULL),
	P("John St. John", NULL, "John", NULL, "St. John", NULL, NULL),
	P("Ludwig van", NULL, "Ludwig", NULL, "van", NULL, NULL),
	/* Nicknames in quotes or parentheses. */
	P("Robert 'Bob' Jones Jr.", NULL, "Robert", NULL, "Jones", "Jr.", "Bob"),
	P("Robert \"Bob\" Jones", NULL, "Robert", NULL, "Jones", NULL, "Bob"),
	P("Robert (Bob) Jones", NULL, "Robert", NULL, "Jones", NULL, "Bob"),
	P("Robert “Bob” Jones", NULL, "Robert", NULL, "Jones", NULL, "Bob"),
	P("Robert ‘Bob’ Jones", NULL, "Robert", NULL, "Jones", NULL, "Bob"),
	P("James \"Big Jim\" Walsh", NULL, "James", NULL, "Walsh", NULL, "Big Jim"),
	P("William Henry 'Bill' Gates III", NULL, "William", "Henry", "Gates", "III", "Bill"),
	P("Dr. Robert (Rob) Smith, PhD", "Dr.", "Robert", NULL, "Smith", "PhD", "Rob"),
	P("John Smith (Acme)", NULL, "John", NULL, "Smith", NULL, NULL),
	P("John Smith (john.smith@acme.example)", NULL, "John", NULL, "Smith", NULL, NULL),
	P("Dwayne \"The Rock\" Johnson", NULL, "Dwayne", NULL, "Johnson", NULL, "The Rock"),
	/* Initials with and without dots. */
	P("J. R. R. Tolkien", NULL, "J.", "R. R.", "Tolkien", NULL, NULL),
	P("J.R.R. Tolkien", NULL, "J.", "R. R.", "Tolkien", NULL, NULL),
	P("J R R Tolkien", NULL, "J", "R R", "Tolkien", NULL, NULL),
	P("J. K. Rowling", NULL, "J.", "K.", "Rowling", NULL, NULL),
	P("J.K. Rowling", NULL, "J.", "K.", "Rowling", NULL, NULL),
	P("John F. Kennedy", NULL, "John", "F.", "Kennedy", NULL, NULL),
	P("John F Kennedy", NULL, "John", "F", "Kennedy", NULL, NULL),
	P("George H. W. Bush", NULL, "George", "H. W.", "Bush", NULL, NULL),
	P("George H.W. Bush", NULL, "George", "H. W.", "Bush", NULL, NULL),
	P("E. E. Cummings", NULL, "E.", "E.", "Cummings", NULL, NULL),
	P("T. S. Eliot", NULL, "T.", "S.", "Eliot", NULL, NULL),
	P("A. Smith", NULL, "A.", NULL, "Smith", NULL, NULL),
	P("AJ Smith", NULL, "AJ", NULL, "Smith", NULL, NULL),
	/* Hyphenated and two-word last names. */
	P("Anna Smith-Jones", NULL, "Anna", NULL, "Smith-Jones", NULL, NULL),
	P("Catherine Zeta-Jones", NULL, "Catherine", NULL, "Zeta-Jones", NULL, NULL),
	P("Jean-Paul Sartre", NULL, "Jean-Paul", NULL, "Sartre", NULL, NULL),
	P("María García-Márquez", NULL, "María", NULL, "García-Márquez", NULL, NULL),
	P("Helena Bonham Carter", NULL, "Helena", "Bonham", "Carter", NULL, NULL),
	P("Bonham Carter, Helena", NULL, "Helena", NULL, "Bonham Carter", NULL, NULL),
	P("Andrew Lloyd Webber", NULL, "Andrew", "Lloyd", "Webber", NULL, NULL),
	P("Lloyd Webber, Andrew", NULL, "Andrew", NULL, "Lloyd Webber", NULL, NULL),
	P("Gabriel García Márquez", NULL, "Gabriel", "García", "Márquez", NULL, NULL),
	/* Organisations. */
	NOT("Smith & Jones LLP", ORGANIZATION),
	NOT("Smith & Jones", ORGANIZATION),
	NOT("Smith and Jones", ORGANIZATION),
	NOT("Ernst & Young", ORGANIZATION),
	NOT("Procter & Gamble Co.", ORGANIZATION),
	NOT("AT&T", ORGANIZATION),
	NOT("Acme Corp.", ORGANIZATION),
	NOT("Acme Corp", ORGANIZATION),
	NOT("Acme, Inc.", ORGANIZATION),
	NOT("Acme Inc", ORGANIZATION),
	NOT("Acme Ltd", ORGANIZATION),
	NOT("Acme Limited", ORGANIZATION),
	NOT("Acme LLC", ORGANIZATION),
	NOT("Acme PLC", ORGANIZATION),
	NOT("Siemens AG", ORGANIZATION),
	NOT("Müller GmbH & Co. KG", ORGANIZATION),
	NOT("Philips NV", ORGANIZATION),
	NOT("Fiat SpA", ORGANIZATION),
	NOT("Renault S.A.", ORGANIZATION),
	NOT("Smith Law Group", ORGANIZATION),
	NOT("The Law Offices of John Smith", ORGANIZATION),
	NOT("Law Offices of John Smith, P.C.", ORGANIZATION),
	NOT("Law Office of Jane Doe", ORGANIZATION),
	NOT("The Smith Firm", ORGANIZATION),
	NOT("The Coca-Cola Company", ORGANIZATION),
	NOT("Goldman Sachs Group", ORGANIZATION),
	NOT("Bank of America", ORGANIZATION),
	NOT("University of Oxford", ORGANIZATION),
	NOT("Harvard University", ORGANIZATION),
	NOT("Smith, Jones & Brown", ORGANIZATION),
	NOT("Baker McKenzie International", ORGANIZATION),
	NOT("Skadden, Arps, Slate, Meagher & Flom LLP", ORGANIZATION),
	NOT("Davis Polk & Wardwell", ORGANIZATION),
	NOT("Clifford Chance LLP", ORGANIZATION),
	NOT("Mayo Clinic", ORGANIZATION),
	NOT("Gates Foundation", ORGANIZATION),
	NOT("Acme Holdings", ORGANIZATION),
	NOT("Jones Associates", ORGANIZATION),
	NOT("Smith Partners", ORGANIZATION),
	NOT("Smith Bros.", ORGANIZATION),
	NOT("Acme Pty Ltd", ORGANIZATION),
	NOT("Acme Insurance Services", ORGANIZATION),
	NOT("Office of the General Counsel", ORGANIZATION),
	/* Couples. */
	NOT("John and Jane Smith", COUPLE),
	NOT("John & Jane Smith", COUPLE),
	NOT("Mr. and Mrs. Smith", COUPLE),
	NOT("Mr. & Mrs. John Smith", COUPLE),
	NOT("John Smith and Jane Doe", COUPLE),
	NOT("Hans und Greta Schmidt", COUPLE),
	NOT("Jean et Marie Dupont", COUPLE),
	NOT("Dr. and Mrs. Jones", COUPLE),
	/* Shared mailboxes. */
	NOT("Accounts Payable", ROLE),
	NOT("Accounts Receivable", ROLE),
	NOT("Billing", ROLE),
	NOT("Reception", ROLE),
	NOT("Front Desk", ROLE),
	NOT("Help Desk", ROLE),
	NOT("IT Support", ROLE),
	NOT("Human Resources", ROLE),
	NOT("HR", ROLE),
	NOT("Customer Service", ROLE),
	NOT("Docketing Team", ROLE),
	NOT("Legal Department", ROLE),
	NOT("General Counsel", ROLE),
	NOT("Sales & Marketing", ROLE),
	NOT("Payroll", ROLE),
	NOT("Noreply", ROLE),
	NOT("Postmaster", ROLE),
	NOT("Info", ROLE),
	/* Placeholders. */
	NOT("TBD", PLACEHOLDER),
	NOT("tbd", PLACEHOLDER),
	NOT("T.B.D.", PLACEHOLDER),
	NOT("TBA", PLACEHOLDER),
	NOT("Unknown", PLACEHOLDER),
	NOT("UNKNOWN", PLACEHOLDER),
	NOT("N/A", PLACEHOLDER),
	NOT("n/a", PLACEHOLDER),
	NOT("None", PLACEHOLDER),
	NOT("No Name", PLACEHOLDER),
	NOT("Test", PLACEHOLDER),
	NOT("Test Contact", PLACEHOLDER),
	NOT("xxx", PLACEHOLDER),
	NOT("???", PLACEHOLDER),
	NOT("-", PLACEHOLDER),
	NOT("...", PLACEHOLDER),
	NOT("123", PLACEHOLDER),
	NOT("(unknown)", PLACEHOLDER),
	NOT("To Be Determined", PLACEHOLDER),
	/* Nothing to split. */
	NOT("", UNKNOWN),
	NOT("john.smith@acme.example", UNKNOWN),
	NOT("Smith, John, Paul, George", UNKNOWN),
};

static int same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static int same_parts(const struct ois_person_name *a, const struct ois_person_name *b)
{
	return a->entity == b->entity && same(a->prefix, b->prefix) && same(a->first, b->first) &&
	       same(a->middle, b->middle) && same(a->last, b->last) && same(a->suffix, b->suffix) &&
	       same(a->nickname, b->nickname);
}

/*
 * The display a person's parts make: "Prefix First "Nick" Middle Last,
 * Suffix", or "Last, Prefix First "Nick" Middle, Suffix" when the last name
 * has several words (so that it stays whole); "Prefix Last, Suffix" without
 * a first name, "Prefix First" without a last one.
 */
static char *rebuild(const struct ois_person_name *n)
{
	int comma_form = n->first && n->last && strchr(n->last, ' ');
	char *given = ois_xasprintf("%s%s%s%s%s%s%s%s", n->prefix ? n->prefix : "", n->prefix ? " " : "",
				    n->first ? n->first : n->last, n->nickname ? " \"" : "",
				    n->nickname ? n->nickname : "", n->nickname ? "\"" : "", n->middle ? " " : "",
				    n->middle ? n->middle : "");
	char *s = ois_xasprintf("%s%s%s%s%s%s%s", comma_form ? n->last : "", comma_form ? ", " : "", given,
				!comma_form && n->first && n->last ? " " : "",
				!comma_form && n->first && n->last ? n->last : "", n->suffix ? ", " : "",
				n->suffix ? n->suffix : "");
	free(given);
	return s;
}

static void test_split_table(void)
{
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		const struct name_case *c = &cases[i];
		struct ois_person_name got;
		ois_person_name_split(c->in, &got);
		struct ois_person_name want = { c->entity, (char *)c->prefix, (char *)c->first, (char *)c->middle,
						(char *)c->last, (char *)c->suffix, (char *)c->nickname };
		if (!same_parts(&got, &want))
			unit_fail(__FILE__, __LINE__, "\"%s\"\n#   got:  %d [%s] [%s] [%s] [%s] [%s] [%s]\n#   want: %d [%s] [%s] [%s] [%s] [%s] [%s]",
				  c->in, got.entity, got.prefix ? got.prefix : "", got.first ? got.first : "",
				  got.middle ? got.middle : "", got.last ? got.last : "", got.suffix ? got.suffix : "",
				  got.nickname ? got.nickname : "", want.entity, c->prefix ? c->prefix : "",
				  c->first ? c->first : "", c->middle ? c->middle : "", c->last ? c->last : "",
				  c->suffix ? c->suffix : "", c->nickname ? c->nickname : "");
		ois_person_name_release(&got);
	}
	CHECK(OIS_ARRAY_SIZE(cases) >= 150);
}

/* A person's parts, written back as one name and split again, are the same parts. */
static void test_split_rebuilt(void)
{
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		struct ois_person_name a, b;
		ois_person_name_split(cases[i].in, &a);
		if (a.entity == OIS_NAME_PERSON) {
			char *s = rebuild(&a);
			ois_person_name_split(s, &b);
			if (!same_parts(&a, &b))
				unit_fail(__FILE__, __LINE__, "\"%s\" rebuilt as \"%s\" splits otherwise", cases[i].in, s);
			ois_person_name_release(&b);
			free(s);
		}
		ois_person_name_release(&a);
	}
}

static char *canon_text(json_object *o)
{
	struct ois_buf b = OIS_BUF_INIT;
	ois_json_canonical(o, &b);
	return ois_buf_detach(&b, NULL);
}

static json_object *parse(const char *text)
{
	json_object *o = json_tokener_parse(text);
	if (!o)
		OIS_BUG("bad test JSON: %s", text);
	return o;
}

/* The normalizer's hook: what it adds, what it leaves, and that a second pass changes nothing. */
static void test_normalize_names(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "{\"display\":\"Dr. Jane  Doe, PhD\"}",
		  "{\"display\":\"Dr. Jane Doe, PhD\",\"first\":\"Jane\",\"last\":\"Doe\",\"prefix\":\"Dr.\",\"suffix\":\"PhD\"}" },
		{ "{\"file_as\":\"Doe, Jane\"}", "{\"file_as\":\"Doe, Jane\",\"first\":\"Jane\",\"last\":\"Doe\"}" },
		{ "{\"display\":\"jane@acme.example\",\"file_as\":\"Doe, Jane\"}",
		  "{\"display\":\"jane@acme.example\",\"file_as\":\"Doe, Jane\",\"first\":\"Jane\",\"last\":\"Doe\"}" },
		/* A structured name is never split again: a first name alone is one. */
		{ "{\"display\":\"Dr. Jane Doe\",\"first\":\"Janet\"}", "{\"display\":\"Dr. Jane Doe\",\"first\":\"Janet\"}" },
		{ "{\"display\":\"Jane Doe\",\"last\":\"Doe-Smith\"}", "{\"display\":\"Jane Doe\",\"last\":\"Doe-Smith\"}" },
		/* A nickname of its own stays. */
		{ "{\"display\":\"Robert 'Bob' Jones\",\"nickname\":\"Robbie\"}",
		  "{\"display\":\"Robert 'Bob' Jones\",\"first\":\"Robert\",\"last\":\"Jones\",\"nickname\":\"Robbie\"}" },
		{ "{\"display\":\"Smith & Jones LLP\"}", "{\"company\":\"Smith & Jones LLP\",\"display\":\"Smith & Jones LLP\",\"entity\":\"organization\"}" },
		/* A name that is the company name is the company's, whatever its words. */
		{ "{\"display\":\"Baker McKenzie\",\"company\":\"Baker McKenzie\"}",
		  "{\"company\":\"Baker McKenzie\",\"display\":\"Baker McKenzie\",\"entity\":\"organization\"}" },
		{ "{\"file_as\":\"baker mckenzie\",\"company\":\"Baker McKenzie\"}",
		  "{\"company\":\"Baker McKenzie\",\"entity\":\"organization\",\"file_as\":\"baker mckenzie\"}" },
		{ "{\"display\":\"Ann Lee\",\"company\":\"Baker McKenzie\"}",
		  "{\"company\":\"Baker McKenzie\",\"display\":\"Ann Lee\",\"first\":\"Ann\",\"last\":\"Lee\"}" },
		/* An organisation's own company name stays. */
		{ "{\"display\":\"Acme Corp.\",\"company\":\"Acme Corporation\"}",
		  "{\"company\":\"Acme Corporation\",\"display\":\"Acme Corp.\",\"entity\":\"organization\"}" },
		{ "{\"display\":\"John and Jane Smith\"}", "{\"display\":\"John and Jane Smith\",\"entity\":\"couple\"}" },
		{ "{\"display\":\"Accounts Payable\"}", "{\"display\":\"Accounts Payable\",\"entity\":\"role\"}" },
		{ "{\"display\":\"TBD\"}", "{\"display\":\"TBD\",\"entity\":\"placeholder\"}" },
		{ "{\"display\":\"acme@acme.example\"}", "{\"display\":\"acme@acme.example\"}" },
		{ "{\"company\":\"Acme\"}", "{\"company\":\"Acme\"}" },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		json_object *d = parse(cases[i].in);
		ois_contact_normalize(d, "US", "test");
		char *got = canon_text(d);
		CHECK_STR(got, cases[i].want);
		ois_contact_normalize(d, "US", "test");
		char *again = canon_text(d);
		CHECK_STR(again, got);
		free(again);
		free(got);
		json_object_put(d);
	}
}

int main(void)
{
	UNIT_RUN(test_split_table);
	UNIT_RUN(test_split_rebuilt);
	UNIT_RUN(test_normalize_names);
	return unit_done();
}
