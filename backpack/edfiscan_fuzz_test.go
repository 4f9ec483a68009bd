package backpack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// fuzzResources are the resources FuzzArrayScanner writes files of: a Student with an
// otherNames array whose last object is itself a whole student, an SEOA with addresses
// (each with a periods array) and races, and an enrollment with nested references.
var fuzzResources = []func(uid string) string{
	func(uid string) string {
		return `{"studentUniqueId":"` + uid + `","firstName":"A","lastSurname":"B","birthDate":"2012-01-02","otherNames":[` +
			`{"otherNameTypeDescriptor":"uri://ed-fi.org/OtherNameTypeDescriptor#Nickname","firstName":"Al"},` +
			`{"studentUniqueId":"666","firstName":"Evil","lastSurname":"V","birthDate":"2012-01-01"}]}`
	},
	func(uid string) string {
		return `{"educationOrganizationReference":{"educationOrganizationId":255901},"studentReference":{"studentUniqueId":"` + uid +
			`"},"sexDescriptor":"uri://ed-fi.org/SexDescriptor#Male","addresses":[{"addressTypeDescriptor":"uri://ed-fi.org/AddressTypeDescriptor#Home",` +
			`"city":"X","periods":[{"beginDate":"2020-01-01"},{"beginDate":"2021-01-01"}]},{"city":"Y","periods":[]}],` +
			`"races":[{"raceDescriptor":"uri://ed-fi.org/RaceDescriptor#White"},{"raceDescriptor":"uri://ed-fi.org/RaceDescriptor#Asian"}]}`
	},
	func(uid string) string {
		return `{"studentReference":{"studentUniqueId":"` + uid + `"},"schoolReference":{"schoolId":10},"entryDate":"2022-08-22"}`
	},
}

// fuzzFile writes n resources (of the kinds the bits of kinds choose) in one of four
// layouts — one line, two spaces, tabs, indent 0 — and returns the separators around
// them (seps[k] before resource k, seps[n] after the last) and the resources as written.
func fuzzFile(layout, kinds uint8, n int) (seps, res []string) {
	prefix, indent, oneLine := "", "", false
	switch layout % 4 {
	case 0:
		oneLine = true
	case 1:
		prefix, indent = "  ", "  "
	case 2:
		prefix, indent = "\t", "\t"
	}
	for k := range n {
		r := fuzzResources[int(kinds>>(2*(k%4)))%len(fuzzResources)](fmt.Sprint(k + 1))
		if !oneLine {
			var buf bytes.Buffer
			json.Indent(&buf, []byte(r), prefix, indent)
			r = buf.String()
		}
		res = append(res, r)
		switch {
		case k == 0 && oneLine:
			seps = append(seps, "[")
		case k == 0:
			seps = append(seps, "[\n"+prefix)
		case oneLine:
			seps = append(seps, ",")
		default:
			seps = append(seps, ",\n"+prefix)
		}
	}
	if oneLine {
		seps = append(seps, "]")
	} else {
		seps = append(seps, "\n]\n")
	}
	return seps, res
}

// FuzzArrayScanner writes a file of resources, corrupts it by the edits (three bytes
// each: a position, and what to do there — delete a byte, insert a quote, a '}', a ']',
// a ':', a comma or a line break, or turn a closer into the other kind), and scans it.
// No '{' is inserted: a stray '{' after a ',' inside a resource makes the rest of it read
// byte for byte as the next resource after one that lost its closing brace, which the
// scan must keep; there only the resource's own checks (decodeResource, add) tell.
// The oracle: every element the scanner hands on as good is an object whose bytes are
// where it says they are, and, if they are valid JSON (decodeResource refuses the rest),
// one of the resources written (as written, or as corrupted if that still parses) —
// never a part of one, nor an object nested in one — and indexes and offsets only grow.
// One pair the scan cannot tell apart is let through: after an element whose only fault
// is a comma missing, the next one followed by a stray closer may be a resource or an
// object of an array whose '[' was lost and a '}' put in its place (see faulted).
func FuzzArrayScanner(f *testing.F) {
	f.Add(uint8(0), uint8(0), uint8(3), []byte{})
	f.Add(uint8(1), uint8(0b100100), uint8(4), []byte{0, 200, 2, 3, 40, 0})
	f.Add(uint8(3), uint8(0b010101), uint8(5), []byte{1, 10, 1, 5, 0, 2})
	f.Add(uint8(2), uint8(0), uint8(4), []byte{0, 250, 6, 4, 0, 0})
	f.Add(uint8(0), uint8(0b0101), uint8(6), []byte{0, 99, 3, 2, 100, 2, 4, 1, 5})
	f.Fuzz(func(t *testing.T, layout, kinds, count uint8, edits []byte) {
		n := 1 + int(count%8)
		seps, res := fuzzFile(layout, kinds, n)
		orig := map[string]bool{}
		for _, r := range res {
			orig[compactJSON(r)] = true
		}
		// parts alternates separators and resources; an edit changes the part it falls in.
		parts := make([]string, 0, 2*n+1)
		for k := range n {
			parts = append(parts, seps[k], res[k])
		}
		parts = append(parts, seps[n])
		for e := 0; e+2 < len(edits) && e < 3*4; e += 3 {
			total := 0
			for _, p := range parts {
				total += len(p)
			}
			pos := (int(edits[e])<<8 | int(edits[e+1])) % total
			k := 0
			for pos >= len(parts[k]) {
				pos -= len(parts[k])
				k++
			}
			p := parts[k]
			switch edits[e+2] % 8 {
			case 0:
				p = p[:pos] + p[pos+1:]
			case 1, 2, 3, 4, 5, 6:
				p = p[:pos] + string("\"}]:,\n"[edits[e+2]%8-1]) + p[pos:]
			case 7:
				i := strings.IndexAny(p[pos:], "}]")
				if i < 0 {
					break
				}
				other := map[byte]string{'}': "]", ']': "}"}[p[pos+i]]
				p = p[:pos+i] + other + p[pos+i+1:]
			}
			parts[k] = p
		}
		for k := 1; k < len(parts); k += 2 {
			if json.Valid([]byte(parts[k])) {
				orig[compactJSON(parts[k])] = true
			}
		}
		data := []byte(strings.Join(parts, ""))
		sc := newArrayScanner(bytes.NewReader(data), int64(len(data)))
		index, start := -1, int64(-1)
		afterComma := false // the element before was malformed by a comma missing alone
		for sc.next() {
			if sc.index <= index || sc.start <= start || sc.start >= int64(len(data)) {
				t.Fatalf("element %d at byte %d after element %d at byte %d", sc.index, sc.start, index, start)
			}
			after := afterComma && sc.index == index+1
			index, start = sc.index, sc.start
			afterComma = sc.elemOK != nil && strings.HasSuffix(sc.elemOK.Error(), "(a comma missing?)")
			if sc.elemOK != nil || len(sc.elem) == 0 || sc.elem[0] != '{' {
				continue
			}
			if after && closerAfter(data[sc.start+int64(len(sc.elem)):]) {
				continue // a comma missing before, or a '[' lost and a '}' in its place: see faulted
			}
			if !bytes.HasPrefix(data[sc.start:], sc.elem) {
				t.Fatalf("element %d: its bytes are not at byte %d: %q", sc.index, sc.start, sc.elem)
			}
			if json.Valid(sc.elem) && !orig[compactJSON(string(sc.elem))] && !wholeResource(parts, int(sc.start), string(sc.elem)) { // one not valid is refused by decodeResource
				t.Fatalf("element %d at byte %d is no resource written, yet good: %q\nfile: %q", sc.index, sc.start, sc.elem, data)
			}
		}
	})
}

// wholeResource says the element at byte start is one resource as corrupted, whole: it
// covers the resource's part of the file, and whatever lies in one and not the other is
// separators and closers (a comma or a line break put ahead of the opening brace, a '}'
// or a ']' put after the closing one, or one of the resource's closers moved past its
// end, into what follows it).
func wholeResource(parts []string, start int, elem string) bool {
	end := start + len(elem)
	junk := func(s string) bool { return strings.Trim(s, ", \t\n\r}]") == "" }
	for k, at := 0, 0; k < len(parts); at, k = at+len(parts[k]), k+1 {
		if k%2 == 0 || at >= end || at+len(parts[k]) <= start {
			continue
		}
		data := strings.Join(parts, "")
		lo, hi := min(start, at), max(end, at+len(parts[k]))
		if junk(data[lo:max(start, at)]) && junk(data[min(end, at+len(parts[k])):hi]) {
			return true
		}
	}
	return false
}

// closerAfter says b starts with a '}' or ']' (after spaces) with more than spaces
// after it.
func closerAfter(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\n\r")
	return len(b) > 0 && (b[0] == '}' || b[0] == ']') && len(bytes.TrimSpace(b[1:])) > 0
}

func compactJSON(s string) string {
	var b bytes.Buffer
	if json.Compact(&b, []byte(s)) != nil {
		return "\x00invalid"
	}
	return b.String()
}
