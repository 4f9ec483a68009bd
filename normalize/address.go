package normalize

import "strings"

// streetWords pairs the street types and directions of addresses with the abbreviations
// USPS Publication 28 gives them. StandardAddress writes each word in full, so that "123 N
// Main St" and "123 North Main Street" are one address and a typo in a long word weighs
// as little as it did before the address was standardized.
var streetWords = [][2]string{
	{"alley", "aly"}, {"annex", "anx"}, {"avenue", "ave"}, {"avenue", "av"}, {"boulevard", "blvd"},
	{"bypass", "byp"}, {"causeway", "cswy"}, {"center", "ctr"}, {"circle", "cir"}, {"court", "ct"},
	{"cove", "cv"}, {"crescent", "cres"}, {"crossing", "xing"}, {"drive", "dr"}, {"expressway", "expy"},
	{"extension", "ext"}, {"freeway", "fwy"}, {"grove", "grv"}, {"heights", "hts"}, {"highway", "hwy"},
	{"hollow", "holw"}, {"junction", "jct"}, {"lane", "ln"}, {"manor", "mnr"}, {"mountain", "mtn"},
	{"parkway", "pkwy"}, {"place", "pl"}, {"plaza", "plz"}, {"point", "pt"}, {"ridge", "rdg"},
	{"road", "rd"}, {"route", "rte"}, {"square", "sq"}, {"station", "sta"}, {"street", "st"},
	{"street", "str"}, {"terrace", "ter"}, {"trail", "trl"}, {"turnpike", "tpke"}, {"valley", "vly"},
	{"view", "vw"}, {"village", "vlg"},
	{"north", "n"}, {"south", "s"}, {"east", "e"}, {"west", "w"},
	{"northeast", "ne"}, {"northwest", "nw"}, {"southeast", "se"}, {"southwest", "sw"},
}

// addressWords maps each word StandardAddress rewrites to how it writes it: a street
// type's or direction's abbreviation to the word, an ordinal street name to its number
// ("First" → "1st").
var addressWords = func() map[string]string {
	m := map[string]string{
		"first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th",
		"sixth": "6th", "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th",
	}
	for _, w := range streetWords {
		m[w[1]] = w[0]
	}
	return m
}()

// unitWords name a secondary unit ("Apt 4", "Suite 200", "# 4"): dropped, so that the
// unit's number or letter is what is compared.
var unitWords = map[string]bool{
	"apt": true, "apartment": true, "unit": true, "ste": true, "suite": true, "no": true, "number": true,
	"bldg": true, "building": true, "fl": true, "floor": true, "rm": true, "room": true, "lot": true,
	"trlr": true, "trailer": true, "spc": true, "space": true,
}

// StandardAddress returns a street address folded (Fold) with its street types and
// directions written in full (St → street, N → north: see streetWords), ordinal street
// names as numbers (First → 1st) and the words that name a unit dropped (Apt, Suite,
// Unit): "123 N. Main St., Apt. #4" → "123 north main street 4". Both sides of a
// comparison are rewritten alike, so a word read two ways (St for Saint, FL for Florida)
// costs nothing. An address of unit words alone ("Suite") is returned folded; empty input
// gives "".
func StandardAddress(s string) string {
	folded := Fold(s)
	var buf [128]byte
	out := buf[:0]
	changed := false
	for rest := folded; rest != ""; {
		word, after, _ := strings.Cut(rest, " ")
		rest = after
		if c := word[0]; c < '0' || c > '9' { // house numbers and 1st are never rewritten
			if unitWords[word] {
				changed = true
				continue
			}
			if full, ok := addressWords[word]; ok {
				word, changed = full, true
			}
		}
		if len(out) > 0 {
			out = append(out, ' ')
		}
		out = append(out, word...)
	}
	if !changed || len(out) == 0 {
		return folded
	}
	return string(out)
}
