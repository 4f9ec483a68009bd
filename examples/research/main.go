// Command research writes a de-identified research extract.
//
// With no arguments it links the embedded synthetic state roll, builds every student's
// backpack, and writes the extract: one record per student with a keyed-hash key (no
// names, addresses or IDs; birth year only), and counts by LEA and grade level and by sex
// and grade level with every cell under 10 students suppressed, complementary cells
// included. -edfi uses the embedded Ed-Fi submissions instead (with assessment results,
// though too few students to publish any cell). -out DIR writes records.csv, scores.csv
// and the tables there; otherwise the tables go to stdout. The HMAC secret comes from
// the file named by -secret-file; without one a random secret is drawn, so keys differ
// from run to run.
package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/internal/demo"
	"github.com/studentlink/studentlink/match"
)

func main() {
	out := flag.String("out", "", "directory to write records.csv, scores.csv and the tables to")
	secretFile := flag.String("secret-file", "", "file holding the state's HMAC secret (at least 16 bytes)")
	study := flag.String("study", "example-study", "study name: keys differ between studies")
	edfi := flag.Bool("edfi", false, "use the embedded Ed-Fi submissions instead of the synthetic roll")
	min := flag.Int("min", 10, "smallest count published")
	flag.Parse()
	if err := run(os.Stdout, *out, *secretFile, *study, *edfi, *min); err != nil {
		fmt.Fprintln(os.Stderr, "research:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, out, secretFile, study string, edfi bool, min int) error {
	secret := make([]byte, 32)
	if secretFile != "" {
		var err error
		if secret, err = os.ReadFile(secretFile); err != nil {
			return err
		}
	} else if _, err := rand.Read(secret); err != nil {
		return err
	}
	x, err := backpack.NewExtractor(secret, study)
	if err != nil {
		return err
	}
	bps, err := backpacks(edfi)
	if err != nil {
		return err
	}
	recs, scores := x.Extract(bps)
	fmt.Fprintf(w, "%d students, %d assessment results in the extract\n", len(recs), len(scores))
	tables := map[string]backpack.Published{
		"lea_by_grade.csv": backpack.Suppress(backpack.CrossTab(recs, "lea", func(r backpack.ResearchRecord) string { return r.LEA },
			"grade", func(r backpack.ResearchRecord) string { return r.GradeLevel }), min),
		"sex_by_grade.csv": backpack.Suppress(backpack.CrossTab(recs, "sex", func(r backpack.ResearchRecord) string { return r.Sex },
			"grade", func(r backpack.ResearchRecord) string { return r.GradeLevel }), min),
	}
	if len(scores) > 0 {
		tables["assessment_by_level.csv"] = backpack.Suppress(backpack.CrossTab(scores, "assessment", func(s backpack.ResearchScore) string { return s.Assessment },
			"level", func(s backpack.ResearchScore) string { return s.Performance }), min)
	}
	for _, name := range []string{"lea_by_grade.csv", "sex_by_grade.csv", "assessment_by_level.csv"} {
		p, ok := tables[name]
		if !ok {
			continue
		}
		fmt.Fprintf(w, "%s: %d cells under %d suppressed, %d more to protect them\n", name, p.Primary, min, p.Complementary)
		if out == "" {
			if err := p.WriteCSV(w, ""); err != nil {
				return err
			}
			continue
		}
		if err := writeFile(filepath.Join(out, name), func(f io.Writer) error { return p.WriteCSV(f, "") }); err != nil {
			return err
		}
	}
	if out == "" {
		return nil
	}
	if err := writeFile(filepath.Join(out, "records.csv"), func(f io.Writer) error { return backpack.WriteRecordsCSV(f, recs) }); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(out, "scores.csv"), func(f io.Writer) error { return backpack.WriteScoresCSV(f, scores) }); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %s\n", out)
	return nil
}

// backpacks links the sample data and builds every student's backpack.
func backpacks(edfi bool) ([]*backpack.Backpack, error) {
	ctx := context.Background()
	linker, res, err := demo.TrainedLinker(ctx)
	if err != nil {
		return nil, err
	}
	subs := backpack.FromRoll(res.Prepared.Roll, "2024-06-30")
	if edfi {
		if subs, err = demo.EdFiSubmissions(); err != nil {
			return nil, err
		}
		if res, err = backpack.Link(ctx, linker, match.RunOptions{}, subs...); err != nil {
			return nil, err
		}
	}
	store, err := backpack.NewStore(subs...)
	if err != nil {
		return nil, err
	}
	var bps []*backpack.Backpack
	for _, g := range backpack.Groups(res) {
		b, err := store.Build(g.StudentID, g.Records, backpack.Survivorship{})
		if err != nil {
			return nil, err
		}
		bps = append(bps, b)
	}
	return bps, nil
}

func writeFile(path string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
