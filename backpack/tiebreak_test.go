package backpack_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
)

// A survivorship explanation says what decided: recency only when the dates differ; a tie
// on the date is named a tie, and the rule that broke it (LEA ID, then record ID) is
// given. The winner and the reason do not depend on the order the LEAs were added in.
func TestSurvivorshipExplainsTieBreaks(t *testing.T) {
	type lea struct{ id, uid, at, name string }
	type want struct{ Value, LEA, Reason string }
	for _, tt := range []struct {
		name string
		x, y lea
		rule backpack.Rule
		want want
	}{
		{"later date wins", lea{"X", "1", "2023-01-01", "Dianna"}, lea{"Y", "1", "2022-01-01", "Diana"}, backpack.MostRecent,
			want{"Dianna", "X", `LEA X sent "Dianna" most recently (2023-01-01); "Diana" came from LEA Y (2022-01-01)`}},
		{"later date wins from the LEA sorting last", lea{"X", "1", "2022-01-01", "Dianna"}, lea{"Y", "1", "2023-01-01", "Diana"}, backpack.MostRecent,
			want{"Diana", "Y", `LEA Y sent "Diana" most recently (2023-01-01); "Dianna" came from LEA X (2022-01-01)`}},
		{"same date: LEA ID", lea{"X", "1", "2026-11-30", "Dianna"}, lea{"Y", "1", "2026-11-30", "Diana"}, backpack.MostRecent,
			want{"Dianna", "X", `a tie: "Dianna" (LEA X) and "Diana" (LEA Y), both submitted 2026-11-30; broken by LEA ID: X sorts before Y`}},
		{"same date under consensus: LEA ID", lea{"X", "1", "2026-11-30", "Dianna"}, lea{"Y", "1", "2026-11-30", "Diana"}, backpack.Consensus,
			want{"Dianna", "X", `a tie: "Dianna" (LEA X) and "Diana" (LEA Y), both submitted 2026-11-30; broken by LEA ID: X sorts before Y`}},
		{"same instant written twice", lea{"X", "1", "2024-09-01T10:00Z", "Dianna"}, lea{"Y", "1", "2024-09-01T12:00+02:00", "Diana"}, backpack.MostRecent,
			want{"Diana", "Y", `a tie: "Diana" (LEA Y) and "Dianna" (LEA X), submitted 2024-09-01T12:00+02:00 and 2024-09-01T10:00Z, the same time; broken by the dates as written: "2024-09-01T12:00+02:00" sorts after "2024-09-01T10:00Z"`}},
		{"neither date readable", lea{"X", "1", "soon", "Dianna"}, lea{"Y", "1", "later", "Diana"}, backpack.MostRecent,
			want{"Dianna", "X", `a tie: "Dianna" (LEA X) and "Diana" (LEA Y), submitted "soon" and "later", neither a readable date; broken by the dates as written: "soon" sorts after "later"`}},
		{"neither dated", lea{"X", "1", "", "Dianna"}, lea{"Y", "1", "", "Diana"}, backpack.MostRecent,
			want{"Dianna", "X", `a tie: "Dianna" (LEA X) and "Diana" (LEA Y), neither submission is dated; broken by LEA ID: X sorts before Y`}},
		{"only one dated", lea{"X", "1", "", "Dianna"}, lea{"Y", "1", "2020-01-01", "Diana"}, backpack.MostRecent,
			want{"Diana", "Y", `LEA Y sent "Diana" dated 2020-01-01; "Dianna" came from LEA X undated`}},
		{"one LEA, two records: record ID", lea{"X", "2", "2026-11-30", "Diana"}, lea{"X", "1", "2026-11-30", "Dianna"}, backpack.MostRecent,
			want{"Dianna", "X", `a tie: "Dianna" (LEA X) and "Diana" (LEA X), both submitted 2026-11-30; broken by record ID: X/1 sorts before X/2`}},
		{"agreeing, same date", lea{"X", "1", "2026-11-30", "Diana"}, lea{"Y", "1", "2026-11-30", "DIANA"}, backpack.MostRecent,
			want{"Diana", "X", `every submission agrees; shown as LEA X sent it (2026-11-30)`}},
		{"agreeing, later date", lea{"X", "1", "2025-11-30", "Diana"}, lea{"Y", "1", "2026-11-30", "Diana"}, backpack.MostRecent,
			want{"Diana", "Y", `every submission agrees; shown as LEA Y last sent it (2026-11-30)`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sub := func(l lea) *backpack.Submission {
				return &backpack.Submission{LEA: l.id, Students: []backpack.StudentRecord{
					person(l.id, l.uid, l.at, func(s *backpack.StudentRecord) { s.FirstName = l.name }),
				}}
			}
			records := []string{backpack.RecordID(tt.x.id, tt.x.uid), backpack.RecordID(tt.y.id, tt.y.uid)}
			for _, subs := range [][]*backpack.Submission{{sub(tt.x), sub(tt.y)}, {sub(tt.y), sub(tt.x)}} {
				if tt.x.id == tt.y.id {
					subs = []*backpack.Submission{{LEA: tt.x.id, Students: append(subs[0].Students, subs[1].Students...)}}
				}
				s, err := backpack.NewStore(subs...)
				if err != nil {
					t.Fatal(err)
				}
				b, err := s.Build("S", records, backpack.Survivorship{Default: tt.rule})
				if err != nil {
					t.Fatal(err)
				}
				f := field(b, "first_name")
				if diff := cmp.Diff(tt.want, want{f.Value, f.Source.LEA, f.Reason}); diff != "" {
					t.Errorf("first submission from LEA %s: first_name (-want +got):\n%s", subs[0].LEA, diff)
				}
			}
		})
	}
}
