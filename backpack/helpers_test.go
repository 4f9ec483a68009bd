package backpack_test

import (
	"context"
	"io/fs"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/studentlink/studentlink"
	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/internal/demo"
	"github.com/studentlink/studentlink/match"
)

// Record IDs of the students the sample LEAs share (testdata/README.md, edfi section).
const (
	lisaOld   = "255901/604822"
	lisaNew   = "255902/W-22001"
	jerryOld  = "255901/604871"
	jerryNew  = "255902/W-22002"
	dianaOld  = "255901/604855"
	dianaNew  = "255902/W-22003"
	tevitaNew = "255902/W-22004"
)

// ignoreSeal compares backpacks by content: the mark of the Store that built one is not
// content.
var ignoreSeal = cmpopts.IgnoreUnexported(backpack.Backpack{})

// edfiFS returns the embedded Ed-Fi sample directory (one subdirectory per LEA).
func edfiFS(t testing.TB) fs.FS {
	t.Helper()
	fsys, err := fs.Sub(studentlink.Testdata, "testdata/edfi")
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}

// submissions imports the embedded submissions afresh (callers may change them).
func submissions(t testing.TB) []*backpack.Submission {
	t.Helper()
	subs, err := demo.EdFiSubmissions()
	if err != nil {
		t.Fatal(err)
	}
	return subs
}

func newStore(t testing.TB) *backpack.Store {
	t.Helper()
	s, err := backpack.NewStore(submissions(t)...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func build(t testing.TB, s *backpack.Store, id string, records ...string) *backpack.Backpack {
	t.Helper()
	b, err := s.Build(id, records, backpack.Survivorship{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var linked struct {
	once   sync.Once
	linker *match.Linker
	res    *match.Result
	err    error
}

// linkResult links the embedded submissions with the demo linker, once per test binary.
func linkResult(t testing.TB) (*match.Linker, *match.Result) {
	t.Helper()
	linked.once.Do(func() {
		ctx := context.Background()
		l, _, err := demo.TrainedLinker(ctx)
		if err != nil {
			linked.err = err
			return
		}
		subs, err := demo.EdFiSubmissions()
		if err != nil {
			linked.err = err
			return
		}
		linked.linker = l
		linked.res, linked.err = backpack.Link(ctx, l, match.RunOptions{}, subs...)
	})
	if linked.err != nil {
		t.Fatal(linked.err)
	}
	return linked.linker, linked.res
}

// allBackpacks builds every student's backpack from the linked groups.
func allBackpacks(t testing.TB) []*backpack.Backpack {
	t.Helper()
	_, res := linkResult(t)
	s := newStore(t)
	var out []*backpack.Backpack
	for _, g := range backpack.Groups(res) {
		out = append(out, build(t, s, g.StudentID, g.Records...))
	}
	return out
}

// groupOf returns the group holding record.
func groupOf(groups []backpack.Group, record string) (backpack.Group, bool) {
	for _, g := range groups {
		if slices.Contains(g.Records, record) {
			return g, true
		}
	}
	return backpack.Group{}, false
}

func field(b *backpack.Backpack, name string) backpack.Field {
	for _, f := range b.Demographics {
		if f.Name == name {
			return f
		}
	}
	return backpack.Field{}
}
