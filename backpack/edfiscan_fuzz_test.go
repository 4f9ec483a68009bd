package backpack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
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
// them (seps[k] before resource k, seps[n] after the last), the resources as written and
// the kind of each (its index in fuzzResources).
func fuzzFile(layout, kinds uint8, n int) (seps, res []string, kind []int) {
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
		kind = append(kind, int(kinds>>(2*(k%4)))%len(fuzzResources))
		r := fuzzResources[kind[k]](fmt.Sprint(k + 1))
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
	return seps, res, kind
}

// FuzzArrayScanner writes a file of resources, corrupts it by the edits (three bytes
// each: a position, and what to do there — delete a byte, insert a quote, a '}', a ']',
// a ':', a comma or a line break, or turn a closer into the other kind), and scans it.
// No '{' is inserted: a stray '{' after a ',' inside a resource makes the rest of it read
// byte for byte as the next resource after one that lost its closing brace, which the
// scan must keep; there only the resource's own checks (decodeResource, add) tell.
// The oracle: every element the scanner hands on as good is an object whose bytes are
// where it says they are, and, if decodeResource takes it (it refuses invalid JSON and a
// key twice in one object: two resources fused by a lost '}' and '{'),
// one of the resources written (as written, or as corrupted if that still parses) —
// never a part of one, nor an object nested in one — and indexes and offsets only grow.
// With two edits or more, a part of a resource may be handed on (a resource closed early
// and objects of its rest read as resources after it, or an object of its own where a
// resynchronisation lands, running to its end since its '}' was lost too) as long as the
// scan reports a faulty element whose bytes reach into that resource's (see resourcePart).
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
		seps, res, kind := fuzzFile(layout, kinds, n)
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
		applied := 0
		for e := 0; e+2 < len(edits) && e < 3*4; e, applied = e+3, applied+1 {
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
		text := strings.Join(parts, "")
		data := []byte(text)
		sc := newArrayScanner(bytes.NewReader(data), int64(len(data)))
		index, start := -1, int64(-1)
		afterComma := false   // the element before was malformed by a comma missing alone
		var faults [][2]int64 // the bytes of elements the scan reported faulty
		var partOf [][2]int   // the bytes of resources a part of which was handed on
		for sc.next() {
			if sc.elemOK != nil {
				faults = append(faults, [2]int64{sc.start, sc.start + int64(len(sc.elem))})
			}
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
			var fields map[string]json.RawMessage
			elem := string(sc.elem)
			if decodeResource(sc.elem, &fields) == nil && !orig[compactJSON(elem)] && !wholeResource(text, parts, int(sc.start), elem) &&
				!fusedKinds(text, parts, kind, int(sc.start), elem) {
				if lo, hi, ok := resourcePart(text, parts, int(sc.start), elem); ok && applied >= 2 {
					partOf = append(partOf, [2]int{lo, hi})
					continue
				}
				t.Fatalf("element %d at byte %d is no resource written, yet good: %q\nfile: %q", sc.index, sc.start, sc.elem, data)
			}
		}
		if sc.err != nil {
			faults = append(faults, [2]int64{sc.errAt, sc.errAt})
		}
		for _, r := range partOf {
			if !slices.ContainsFunc(faults, func(f [2]int64) bool { return f[0] <= int64(r[1]) && int64(r[0]) <= f[1] }) {
				t.Fatalf("a part of the resource at bytes %d–%d was handed on, and no fault is reported within it\nfile: %q", r[0], r[1], data)
			}
		}
	})
}

// resourceSpan is the run of resources an element overlaps: the first and the last (as
// indexes in parts) and the bytes from the first's start to the last's end.
type resourceSpan struct{ first, last, lo, hi int }

// spanOf returns the resources the element at byte start overlaps; ok is false for none.
func spanOf(parts []string, start int, elem string) (sp resourceSpan, ok bool) {
	end := start + len(elem)
	sp.first = -1
	for k, at := 0, 0; k < len(parts); at, k = at+len(parts[k]), k+1 {
		if k%2 == 1 && at < end && at+len(parts[k]) > start {
			if sp.first < 0 {
				sp.first, sp.lo = k, at
			}
			sp.last, sp.hi = k, at+len(parts[k])
		}
	}
	return sp, sp.first >= 0
}

// separators says s holds nothing but separators and closers.
func separators(s string) bool { return strings.Trim(s, ", \t\n\r}]") == "" }

// sameEnds says an element from byte start to end starts and ends where the span does,
// but for separators and closers between (a comma or a line break put ahead of the
// opening brace, a '}' or a ']' put after the closing one, or one of the resource's
// closers moved past its end, into what follows it).
func (sp resourceSpan) sameEnds(data string, start, end int) bool {
	return separators(data[min(start, sp.lo):max(start, sp.lo)]) && separators(data[min(end, sp.hi):max(end, sp.hi)])
}

// wholeResource says the element at byte start is one resource as corrupted, whole.
func wholeResource(data string, parts []string, start int, elem string) bool {
	sp, ok := spanOf(parts, start, elem)
	return ok && sp.first == sp.last && sp.sameEnds(data, start, start+len(elem))
}

// fusedKinds says the element at byte start is two or more resources in a row, of
// different kinds, read as one (the '}' closing one and the '{' opening the next lost).
// decodeResource refuses such an object where the resources are of one kind, as in an
// Ed-Fi file (a key twice); where the kinds differ, as only the fuzz's mixed files have
// them, nothing in the bytes tells.
func fusedKinds(data string, parts []string, kind []int, start int, elem string) bool {
	sp, ok := spanOf(parts, start, elem)
	if !ok || sp.first == sp.last || !sp.sameEnds(data, start, start+len(elem)) {
		return false
	}
	for k := sp.first + 2; k <= sp.last; k += 2 {
		if kind[k/2] != kind[sp.first/2] {
			return true
		}
	}
	return false
}

// resourcePart says the element at byte start lies within one resource as corrupted
// (separators and closers aside at its ends), and returns the bytes that resource
// spans. The caller has ruled out the whole resource (wholeResource).
func resourcePart(data string, parts []string, start int, elem string) (lo, hi int, ok bool) {
	sp, ok := spanOf(parts, start, elem)
	end := start + len(elem)
	if !ok || sp.first != sp.last || start < sp.lo && !separators(data[start:sp.lo]) || end > sp.hi && !separators(data[sp.hi:end]) {
		return 0, 0, false
	}
	return sp.lo, sp.hi, true
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
