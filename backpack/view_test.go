package backpack_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
)

// views runs the workflow for b at the LEA the student is enrolled at now (currentLEA):
// the staff view of a registrar there, and the guardian view of a request for b's SSID
// that they approved.
func views(t *testing.T, b *backpack.Backpack) (staff, guardian *backpack.View) {
	t.Helper()
	staff, guardian, err := viewsFor(t, b, b.SSID())
	if err != nil {
		t.Fatal(err)
	}
	return staff, guardian
}

func viewsFor(t *testing.T, b *backpack.Backpack, ssid string) (staff, guardian *backpack.View, err error) {
	t.Helper()
	r, _ := requests(t)
	st := backpack.StaffUser{ID: "registrar", LEA: currentLEA(b), Permissions: backpack.PermView | backpack.PermRequest}
	if staff, err = r.StaffView(st, b); err != nil {
		return nil, nil, err
	}
	req, err := r.Submit(st.LEA, "guardian", ssid)
	if err != nil {
		return nil, nil, err
	}
	if _, err := r.Approve(st, req.ID, b); err != nil {
		return nil, nil, err
	}
	guardian, err = r.GuardianView("guardian", req.ID, b)
	return staff, guardian, err
}

// currentLEA returns the LEA of b's latest enrollment without an exit date (the one its
// staff may view it from), or, when b has none, the first LEA that submitted a record.
func currentLEA(b *backpack.Backpack) string {
	for k := len(b.Enrollments) - 1; k >= 0; k-- {
		if e := b.Enrollments[k].Fact; e.ExitDate == "" && e.LEA != "" {
			return e.LEA
		}
	}
	return b.LEAs()[0]
}

func TestGuardianViewAccess(t *testing.T) {
	diana := build(t, newStore(t), "diana", dianaOld, dianaNew)
	tests := []struct {
		name string
		ssid string
		ok   bool
	}{
		{"old SSID", "1000604855", true},
		{"new (mistyped) SSID", "1000604585", true},
		{"SSID written with dashes", "1000-604-855", true},
		{"another student's SSID", "1000604822", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, v, err := viewsFor(t, diana, tt.ssid)
			if tt.ok {
				if err != nil || v.Audience != backpack.AudienceGuardian {
					t.Errorf("GuardianView = %+v, %v", v, err)
				}
				return
			}
			if v != nil || !errors.Is(err, backpack.ErrDenied) {
				t.Errorf("GuardianView = %v, %v; want ErrDenied", v, err)
			}
		})
	}
	// Pending and rejected requests give no view.
	r, _ := requests(t)
	for _, reject := range []bool{false, true} {
		req, err := r.Submit("255902", "guardian", "1000604855")
		if err != nil {
			t.Fatal(err)
		}
		if reject {
			if _, err := r.Reject(registrar, req.ID, "not the guardian of record"); err != nil {
				t.Fatal(err)
			}
		}
		if v, err := r.GuardianView("guardian", req.ID, diana); v != nil || !errors.Is(err, backpack.ErrDenied) {
			t.Errorf("rejected %v: GuardianView = %v, %v", reject, v, err)
		}
	}
}

// The guardian view does not show the state's internal student ID.
func TestGuardianViewHidesStudentID(t *testing.T) {
	b := build(t, newStore(t), "S5f3a9c0e77d1", lisaOld, lisaNew)
	staff, guardian := views(t, b)
	if staff.StudentID != b.StudentID || guardian.StudentID != "" {
		t.Errorf("student IDs: staff view %q, guardian view %q", staff.StudentID, guardian.StudentID)
	}
	var sb strings.Builder
	if err := guardian.WriteText(&sb, nil); err != nil {
		t.Fatal(err)
	}
	for _, internal := range append([]string{b.StudentID}, b.Records...) {
		if strings.Contains(sb.String(), internal) {
			t.Errorf("the guardian view shows %q:\n%s", internal, sb.String())
		}
	}
}

func TestViewContents(t *testing.T) {
	for _, b := range allBackpacks(t) {
		if b.SSID() == "" {
			continue
		}
		t.Run(b.StudentID, func(t *testing.T) {
			staff, guardian := views(t, b)
			for _, v := range []*backpack.View{staff, guardian} {
				var elements []string
				for _, c := range v.Summary {
					elements = append(elements, c.Element)
					items, err := v.Records(c.Element)
					if err != nil {
						t.Fatal(err)
					}
					if c.Records != len(items) {
						t.Errorf("%s view: summary says %d %s, Records gives %d", v.Audience, c.Records, c.Element, len(items))
					}
				}
				if diff := cmp.Diff(backpack.Elements, elements); diff != "" {
					t.Errorf("%s view: summary elements (-want +got):\n%s", v.Audience, diff)
				}
				if _, err := v.Records("report cards"); err == nil {
					t.Errorf("%s view: Records of an unknown element", v.Audience)
				}
			}
			// Staff see every fact and every demographic field, blanks included, with sources.
			wantStaff := []int{len(backpack.DemographicFields), len(b.Enrollments), len(b.Grades), len(b.CourseHistory),
				len(b.Attendance), len(b.Teachers), len(b.Assessments)}
			var gotStaff []int
			for _, c := range staff.Summary {
				gotStaff = append(gotStaff, c.Records)
			}
			if diff := cmp.Diff(wantStaff, gotStaff); diff != "" {
				t.Errorf("staff summary (-backpack +view):\n%s", diff)
			}
			demo, _ := staff.Records(backpack.ElementDemographics)
			if !slices.ContainsFunc(demo, func(it backpack.Item) bool {
				return len(it.Fields) == 1 && it.Fields[0] == backpack.KV{Key: "suffix", Value: ""}
			}) {
				t.Errorf("staff view lacks the blank suffix: %+v", demo)
			}
			if diff := cmp.Diff(b.Conflicts, staff.Conflicts); diff != "" {
				t.Errorf("staff conflicts (-backpack +view):\n%s", diff)
			}
			// Guardians see no blank value, no source, no conflict, no staff ID.
			if len(guardian.Conflicts) != 0 {
				t.Errorf("guardian view shows conflicts")
			}
			for _, e := range backpack.Elements {
				items, _ := guardian.Records(e)
				for _, it := range items {
					if len(it.Sources) != 0 {
						t.Errorf("guardian %s item with sources %v", e, it.Sources)
					}
					if len(it.Fields) == 0 {
						t.Errorf("guardian %s: empty item", e)
					}
					for _, kv := range it.Fields {
						if strings.TrimSpace(kv.Value) == "" {
							t.Errorf("guardian %s: blank %q", e, kv.Key)
						}
						if kv.Key == "staff_unique_id" {
							t.Errorf("guardian %s: staff ID %q", e, kv.Value)
						}
					}
				}
				if e != backpack.ElementDemographics {
					staffItems, _ := staff.Records(e)
					if len(items) != len(staffItems) {
						t.Errorf("%s: guardian sees %d records, staff %d", e, len(items), len(staffItems))
					}
					for _, it := range staffItems {
						if len(it.Sources) == 0 {
							t.Errorf("staff %s item without sources", e)
						}
					}
				}
			}
		})
	}
}

func TestGuardianSeesCredentials(t *testing.T) {
	b := build(t, newStore(t), "lisa", lisaOld, lisaNew)
	_, guardian := views(t, b)
	items, err := guardian.Records(backpack.ElementTeachers)
	if err != nil {
		t.Fatal(err)
	}
	creds := map[string]string{}
	for _, it := range items {
		var name, cred string
		for _, kv := range it.Fields {
			switch kv.Key {
			case "name":
				name = kv.Value
			case "credentials":
				cred = kv.Value
			}
		}
		creds[name] = cred
	}
	want := map[string]string{
		"Siosaia Taufa":          "Licensure, Mathematics, Professional (UT, expires 2027-06-30)",
		"Sara Stacy Preston":     "Licensure, Art, Provisional (TX)",
		"Kelley Heidi Christian": "Registration (TX, expires 1997-05-20)",
		"Jon Austin Kaiser":      "Other, Social Studies, Emergency (TX)",
	}
	if diff := cmp.Diff(want, creds); diff != "" {
		t.Errorf("teachers' credentials in the guardian view (-want +got):\n%s", diff)
	}
}

func TestWriteText(t *testing.T) {
	b := build(t, newStore(t), "lisa", lisaOld, lisaNew)
	staff, guardian := views(t, b)
	for _, v := range []*backpack.View{staff, guardian} {
		var sb strings.Builder
		if err := v.WriteText(&sb, nil); err != nil {
			t.Fatal(err)
		}
		out := sb.String()
		heading := "Backpack of student lisa (staff view)\n"
		if v.Audience == backpack.AudienceGuardian {
			heading = "Backpack (guardian view)\n"
		}
		if !strings.HasPrefix(out, heading) {
			t.Errorf("%s: heading: %q", v.Audience, strings.SplitN(out, "\n", 2)[0])
		}
		for _, c := range v.Summary {
			items, _ := v.Records(c.Element)
			line := fmt.Sprintf("  %-15s %4d\n", c.Element, len(items))
			if !strings.Contains(out, line) {
				t.Errorf("%s: summary line %q missing", v.Audience, line)
			}
		}
		if strings.Contains(out, "conflict: middle_name") != (v.Audience == backpack.AudienceStaff) {
			t.Errorf("%s: conflict lines wrong", v.Audience)
		}
		if strings.Contains(out, "from 255901") != (v.Audience == backpack.AudienceStaff) {
			t.Errorf("%s: source lines wrong", v.Audience)
		}
		// Staff see why each demographic value was chosen.
		why := "  - middle_name=Sybil\n      from 255901 255901/604822 255901/students.json[0] 2022-06-15\n      because \"Sybil\" is more complete than \"S\"\n"
		if strings.Contains(out, why) != (v.Audience == backpack.AudienceStaff) || strings.Contains(out, "because") != (v.Audience == backpack.AudienceStaff) {
			t.Errorf("%s: reasons wrong, want staff alone to see\n%s", v.Audience, why)
		}
		if !strings.Contains(out, "\nteachers:\n") || !strings.Contains(out, "Siosaia Taufa") {
			t.Errorf("%s: teachers missing", v.Audience)
		}
		// Details of one element only.
		sb.Reset()
		if err := v.WriteText(&sb, []string{backpack.ElementCourseHistory}); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(sb.String(), "\nteachers:\n") || !strings.Contains(sb.String(), "\ncourse history:\n") {
			t.Errorf("%s: details of course history only:\n%s", v.Audience, sb.String())
		}
		if err := v.WriteText(&sb, []string{"report cards"}); err == nil {
			t.Errorf("%s: WriteText of an unknown element", v.Audience)
		}
	}
}
