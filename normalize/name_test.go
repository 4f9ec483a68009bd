package normalize

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseName(t *testing.T) {
	tests := []struct {
		in   string
		want Name
	}{
		{"John Smith", Name{Given: "John", Family: "Smith"}},
		{"John Paul Smith", Name{Given: "John", Middle: "Paul", Family: "Smith"}},
		{"Smith, John", Name{Given: "John", Family: "Smith"}},
		{"Smith, John Paul", Name{Given: "John", Middle: "Paul", Family: "Smith"}},
		{"SMITH,JOHN PAUL", Name{Given: "JOHN", Middle: "PAUL", Family: "SMITH"}},
		{"John Smith Jr.", Name{Given: "John", Family: "Smith", Suffix: "jr"}},
		{"John Smith Jr", Name{Given: "John", Family: "Smith", Suffix: "jr"}},
		{"John Paul Smith III", Name{Given: "John", Middle: "Paul", Family: "Smith", Suffix: "iii"}},
		{"John Smith II", Name{Given: "John", Family: "Smith", Suffix: "ii"}},
		{"John Smith IV", Name{Given: "John", Family: "Smith", Suffix: "iv"}},
		{"John Smith Sr.", Name{Given: "John", Family: "Smith", Suffix: "sr"}},
		{"Smith Jr., John", Name{Given: "John", Family: "Smith", Suffix: "jr"}},
		{"Smith, John, Jr.", Name{Given: "John", Family: "Smith", Suffix: "jr"}},
		{"Smith, John Jr.", Name{Given: "John", Family: "Smith", Suffix: "jr"}},
		{"Smith, John, III", Name{Given: "John", Family: "Smith", Suffix: "iii"}},
		{"García-López, José Luis", Name{Given: "José", Middle: "Luis", Family: "García-López"}},
		{"José Luis García-López", Name{Given: "José", Middle: "Luis", Family: "García-López"}},
		{"Maria de la Cruz", Name{Given: "Maria", Family: "de la Cruz"}},
		{"Maria Elena De La Cruz", Name{Given: "Maria", Middle: "Elena", Family: "De La Cruz"}},
		{"De La Cruz, Maria", Name{Given: "Maria", Family: "De La Cruz"}},
		{"Peter Van Wagoner", Name{Given: "Peter", Family: "Van Wagoner"}},
		{"Van Wagoner, Peter J", Name{Given: "Peter", Middle: "J", Family: "Van Wagoner"}},
		{"Sione Young-Tuilagi", Name{Given: "Sione", Family: "Young-Tuilagi"}},
		{"Ludwig von Mises", Name{Given: "Ludwig", Family: "von Mises"}},
		{"Nguyễn Thị Ánh", Name{Given: "Nguyễn", Middle: "Thị", Family: "Ánh"}},
		{"  Ana   María   Pérez  ", Name{Given: "Ana", Middle: "María", Family: "Pérez"}},
		{"Cher", Name{Family: "Cher"}},
		{"", Name{}},
		{"   ", Name{}},
		{",", Name{}},
		{"Smith,", Name{Family: "Smith"}},
		{", John", Name{Given: "John"}},
		{"Mary Ann O'Brien", Name{Given: "Mary", Middle: "Ann", Family: "O'Brien"}},
		{"O'Brien, Mary-Ann", Name{Given: "Mary-Ann", Family: "O'Brien"}},
		{"Juan Carlos Garcia Lopez", Name{Given: "Juan", Middle: "Carlos Garcia", Family: "Lopez"}},
		{"Henry V", Name{Given: "Henry", Family: "V"}},
		{"Henry Ford V", Name{Given: "Henry", Family: "Ford", Suffix: "v"}},
		{"Jr Smith", Name{Given: "Jr", Family: "Smith"}},
		{"Dr. John Smith", Name{Given: "John", Family: "Smith"}},
		{"Mrs Mary Ann Molesworth", Name{Given: "Mary", Middle: "Ann", Family: "Molesworth"}},
		{"Smith, Rev. John", Name{Given: "John", Family: "Smith"}},
		{"Sir Baronet Campbell", Name{Family: "Campbell"}},
		{"Mr Smith", Name{Family: "Smith"}},
		{"Sir", Name{Family: "Sir"}}, // one word is the name, whatever it is
		{"Earl Jones", Name{Given: "Earl", Family: "Jones"}},
	}
	for _, tc := range tests {
		if d := cmp.Diff(tc.want, ParseName(tc.in)); d != "" {
			t.Errorf("ParseName(%q) (-want +got):\n%s", tc.in, d)
		}
	}
}

func TestParseNameFamilyFirst(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Name
	}{
		{"WILLIAMS EMMA", Name{Given: "EMMA", Family: "WILLIAMS"}},
		{"Williams Emma Rose", Name{Given: "Emma", Middle: "Rose", Family: "Williams"}},
		{"De La Cruz Maria Elena", Name{Given: "Maria", Middle: "Elena", Family: "De La Cruz"}},
		{"Van Wagoner Peter", Name{Given: "Peter", Family: "Van Wagoner"}},
		{"Le Minh", Name{Given: "Minh", Family: "Le"}}, // a particle's word is the family name where nothing else is
		{"Garcia-Lopez Jose Luis", Name{Given: "Jose", Middle: "Luis", Family: "Garcia-Lopez"}},
		{"Smith Jr John", Name{Given: "John", Family: "Smith", Suffix: "jr"}},
		{"Smith John III", Name{Given: "John", Family: "Smith", Suffix: "iii"}},
		{"Smith John V", Name{Given: "John", Middle: "V", Family: "Smith"}}, // a letter alone is an initial
		{"Dr. Smith John", Name{Given: "John", Family: "Smith"}},
		{"Smith, John Paul", Name{Given: "John", Middle: "Paul", Family: "Smith"}}, // a comma: as ParseName
		{"Cher", Name{Family: "Cher"}},
		{"", Name{}},
		{"   ", Name{}},
	} {
		if d := cmp.Diff(tc.want, ParseNameFamilyFirst(tc.in)); d != "" {
			t.Errorf("ParseNameFamilyFirst(%q) (-want +got):\n%s", tc.in, d)
		}
	}
}

func TestStripTitles(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Sir William", "William"},
		{"Sir\tWilliam\u00a0 Henry", "William Henry"},
		{"MRS. Mary", "Mary"},
		{"Mrs", ""},
		{"sir baronet", ""},
		{"Reverend  John Henry", "John Henry"},
		{"William", "William"},
		{"Earl", "Earl"},
		{"Lady", "Lady"},
		{"Mary Sir", "Mary Sir"},
		{"Rt. Hon. William", "William"},
		{"Maj.-Gen. Frederick", "Frederick"},
		{"Major-General Frederick", "Frederick"},
		{"Major-Gen Frederick", "Frederick"},
		{"Major", "Major"},
		{"Earl-Mr John", "John"},
		{"Mary-Jane", "Mary-Jane"},
		{"Mr-Smith", "Mr-Smith"},
		{"Mr- John", "Mr- John"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := StripTitles(tc.in); got != tc.want {
			t.Errorf("StripTitles(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSplitInitial(t *testing.T) {
	tests := []struct{ given, middle, wantGiven, wantMiddle string }{
		{"John A", "", "John", "A"},
		{"John A.", "", "John", "A"},
		{" Mary Ann  B. ", "", "Mary Ann", "B"},
		{"José É", "", "José", "É"},
		{"John A", "Adam", "John A", "Adam"},
		{"Mary Ann", "", "Mary Ann", ""},
		{"A", "", "A", ""},
		{"John 3", "", "John 3", ""},
		{"", "", "", ""},
	}
	for _, tc := range tests {
		g, m := SplitInitial(tc.given, tc.middle)
		if g != tc.wantGiven || m != tc.wantMiddle {
			t.Errorf("SplitInitial(%q, %q) = %q, %q; want %q, %q", tc.given, tc.middle, g, m, tc.wantGiven, tc.wantMiddle)
		}
	}
}

func TestShortSaint(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Saint John", "St John"},
		{"SAINT-PIERRE", "St-PIERRE"},
		{"Sainte Marie", "Ste Marie"},
		{"de Saint Aubin", "de St Aubin"},
		{"Saint", "Saint"},           // the name itself
		{"John Saint", "John Saint"}, // the last word is a name
		{"St. John", "St. John"},     // written short already
		{"Saintjohn", "Saintjohn"},   // one word
		{"Saint  John", "St  John"},  // spaces kept for Display to collapse
		{"", ""},
	} {
		if got := ShortSaint(tc.in); got != tc.want {
			t.Errorf("ShortSaint(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzShortSaint(f *testing.F) {
	f.Add("Saint John")
	f.Add("sainte-marie de la")
	f.Fuzz(func(t *testing.T, s string) {
		got := ShortSaint(s)
		if Fold(got) != Fold(s) && !strings.Contains(Fold(s), "saint") {
			t.Errorf("ShortSaint(%q) = %q: changed a name without Saint", s, got)
		}
		if ShortSaint(got) != got {
			t.Errorf("ShortSaint(%q) = %q, and again %q: not idempotent", s, got, ShortSaint(got))
		}
	})
}

func TestSplitSuffix(t *testing.T) {
	tests := []struct{ in, family, suffix string }{
		{"Smith Jr.", "Smith", "jr"},
		{"Smith JR", "Smith", "jr"},
		{"Smith\u00a0Jr", "Smith", "jr"}, // a no-break space separates words too
		{"Smith, Jr.", "Smith", "jr"},
		{"Smith III", "Smith", "iii"},
		{"Smith 3rd", "Smith", "iii"},
		{"Smith Junior", "Smith", "jr"},
		{"Garcia Lopez Sr", "Garcia Lopez", "sr"},
		{"Smith", "Smith", ""},
		{"V", "V", ""},
		{"Jr", "Jr", ""},
		{"", "", ""},
		{"Ford V", "Ford", "v"},
	}
	for _, tc := range tests {
		f, s := SplitSuffix(tc.in)
		if f != tc.family || s != tc.suffix {
			t.Errorf("SplitSuffix(%q) = %q, %q, want %q, %q", tc.in, f, s, tc.family, tc.suffix)
		}
	}
}

func TestNewNamePartPhonetic(t *testing.T) {
	tests := []struct {
		in                     string
		metaphone, alt, nysiis string
		soundex                string
	}{
		// Accents never change the codes: the folded key is encoded.
		{"José", "HS", "HS", "JAS", "J200"},
		{"Jose", "HS", "HS", "JAS", "J200"},
		{"Nguyễn", "NKN", "NKN", "NGAYAN", "N250"},
		{"Müller", "MLR", "MLR", "MALAR", "M460"},
		{"Mueller", "MLR", "MLR", "MALAR", "M460"},
		{"Smith", "SM0", "XMT", "SNAT", "S530"},
		{"Schmidt", "XMT", "SMT", "SNAD", "S530"},
		{"O'Brien", "APRN", "APRN", "OBRAN", "O165"},
		{"García-López", "KRSL", "KRXL", "GARCAL", "G624"},
		{"", "", "", "", ""},
		{"李", "", "", "", ""},
	}
	for _, tc := range tests {
		p := NewNamePart(tc.in, nil)
		got := [4]string{p.Metaphone, p.MetaphoneAlt, p.NYSIIS, p.Soundex}
		want := [4]string{tc.metaphone, tc.alt, tc.nysiis, tc.soundex}
		if got != want {
			t.Errorf("NewNamePart(%q) codes = %q, want %q", tc.in, got, want)
		}
	}
}

// TestNicknameAbbreviations: an abbreviation matches its name but is never offered as
// one (the synthetic roll generator draws nicknames from Names).
func TestNicknameAbbreviations(t *testing.T) {
	n := DefaultNicknames()
	for _, name := range []string{"Francisco", "William", "María"} {
		groups := n.Groups(name)
		if len(groups) == 0 {
			t.Fatalf("%s has no group", name)
		}
		for _, g := range groups {
			for _, x := range n.Names(g) {
				if strings.HasSuffix(x, ".") {
					t.Errorf("Names of %s's group offers the abbreviation %q", name, x)
				}
			}
		}
	}
}

func TestNicknames(t *testing.T) {
	n := DefaultNicknames()
	if n.Len() < 500 {
		t.Errorf("default table has %d groups, want at least 500", n.Len())
	}
	related := []struct {
		a, b string
		want bool
	}{
		{"Bill", "William", true},
		{"Will", "William", true},
		{"Billy", "William", true},
		{"Liam", "William", true},
		{"Bill", "Liam", true},
		{"Pepe", "José", true},
		{"PEPE", "jose", true},
		{"Lupe", "Guadalupe", true},
		{"Chuy", "Jesús", true},
		{"chuy", "JESUS", true},
		{"Paco", "Francisco", true},
		{"Pancho", "Francisco", true},
		{"Beth", "Elizabeth", true},
		{"Liz", "Elizabeth", true},
		{"Bob", "Robert", true},
		{"Peggy", "Margaret", true},
		{"Lalo", "Eduardo", true},
		{"Memo", "Guillermo", true},
		{"Nacho", "Ignacio", true},
		{"Concha", "Concepción", true},
		{"Chelo", "Consuelo", true},
		{"Beto", "Alberto", true},
		{"Beto", "Roberto", true},
		{"Al", "Alan", true},
		{"Al", "Albert", true},
		{"Robby", "Robert", true},   // robbie's other spelling
		{"Tommie", "Thomas", true},  // tommy's
		{"Richey", "Richard", true}, // richie's
		{"Fco.", "Francisco", true}, // abbreviations records write
		{"Wm", "William", true},
		{"Ma.", "María", true},
		{"Kimberley", "Kim", true}, // kimberly's
		{"Dima", "Dmitri", true},
		{"Zhenya", "Yevgeny", true},
		{"Eugene", "Yevgeny", true},
		{"Sasha", "Aleksandr", true},
		{"Dima", "Dasha", false},
		{"Bobbie", "Robert", false}, // listed as Barbara's and Roberta's, not redirected
		{"Joie", "Joseph", false},   // a vowel before the ending: not a diminutive
		{"Bill", "Robert", false},
		{"Pepe", "Francisco", false},
		{"Mary", "Margaret", false},
		{"Zzyzx", "Zzyzx", false},
		{"", "William", false},
	}
	for _, tc := range related {
		if got := n.Related(tc.a, tc.b); got != tc.want {
			t.Errorf("Related(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
	id := n.Add("Kekoa", "Koa")
	if !n.Related("kekoa", "KOA") {
		t.Error("an added group is not found")
	}
	if d := cmp.Diff([]string{"Kekoa", "Koa"}, n.Names(id)); d != "" {
		t.Error(d)
	}
	if n.Names(1<<30) != nil {
		t.Error("Names of an unknown group is not nil")
	}
	if DefaultNicknames().Related("kekoa", "koa") {
		t.Error("Add changed the shared default table")
	}
}

func TestJoins(t *testing.T) {
	n := func(s string) *NamePart { p := NewNamePart(s, nil); return &p }
	for _, tc := range []struct {
		p, q, m string
		want    bool
	}{
		{"Maryann", "Mary", "Ann", true},
		{"María José", "Maria", "Jose", true},
		{"Jiwoo", "Ji", "Woo", true},
		{"Maryann", "Mary", "", false},
		{"Maryann", "Mar", "Ann", false},
		{"Mary", "Mary", "Ann", false},
		{"Annmary", "Mary", "Ann", false},
	} {
		if got := n(tc.p).Joins(n(tc.q), n(tc.m)); got != tc.want {
			t.Errorf("%q.Joins(%q, %q) = %v, want %v", tc.p, tc.q, tc.m, got, tc.want)
		}
	}
}
