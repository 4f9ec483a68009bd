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

// requestFor returns a request for ssid in the given state.
func requestFor(t *testing.T, ssid string, status backpack.Status) backpack.Request {
	t.Helper()
	r := backpack.NewRequests(nil)
	req, err := r.Submit("guardian", ssid)
	if err != nil {
		t.Fatal(err)
	}
	switch status {
	case backpack.Forwarded:
		_, err = r.Approve(clerk, req.ID)
	case backpack.Rejected:
		_, err = r.Reject(clerk, req.ID, "not the guardian of record")
	}
	if err != nil {
		t.Fatal(err)
	}
	got, _ := r.Get(req.ID)
	return got
}

func TestStaffViewPermission(t *testing.T) {
	b := build(t, newStore(t), "lisa", lisaOld, lisaNew)
	tests := []struct {
		staff backpack.StaffUser
		ok    bool
	}{
		{registrar, true}, {viewer, true}, {clerk, false}, {nobody, false}, {anonymous, false}, {blankID, false},
	}
	for _, tt := range tests {
		v, err := backpack.StaffView(tt.staff, b)
		if tt.ok {
			if err != nil || v == nil || v.Audience != backpack.AudienceStaff {
				t.Errorf("%q: StaffView = %v, %v", tt.staff.ID, v, err)
			}
			continue
		}
		if v != nil || !errors.Is(err, backpack.ErrDenied) {
			t.Errorf("%q: StaffView = %v, %v; want ErrDenied", tt.staff.ID, v, err)
		}
	}
}

func TestGuardianViewAccess(t *testing.T) {
	diana := build(t, newStore(t), "diana", dianaOld, dianaNew)
	tests := []struct {
		name   string
		ssid   string
		status backpack.Status
		ok     bool
	}{
		{"forwarded, old SSID", "1000604855", backpack.Forwarded, true},
		{"forwarded, new (mistyped) SSID", "1000604585", backpack.Forwarded, true},
		{"forwarded, SSID written with dashes", "1000-604-855", backpack.Forwarded, true},
		{"pending", "1000604855", backpack.Pending, false},
		{"rejected", "1000604855", backpack.Rejected, false},
		{"another student's SSID", "1000604822", backpack.Forwarded, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := backpack.GuardianView(requestFor(t, tt.ssid, tt.status), diana)
			if tt.ok {
				if err != nil || v.Audience != backpack.AudienceGuardian || v.StudentID != "diana" {
					t.Errorf("GuardianView = %+v, %v", v, err)
				}
				return
			}
			if v != nil || !errors.Is(err, backpack.ErrDenied) {
				t.Errorf("GuardianView = %v, %v; want ErrDenied", v, err)
			}
		})
	}
	// A backpack without any SSID (Tevita has one; Jerry's new record has none) is
	// never shown for an empty SSID.
	jerry := build(t, newStore(t), "jerry", jerryNew)
	req := requestFor(t, "1000604871", backpack.Forwarded)
	req.StudentSSID = ""
	if _, err := backpack.GuardianView(req, jerry); !errors.Is(err, backpack.ErrDenied) {
		t.Errorf("empty SSID on a backpack without SSID: %v", err)
	}
}

func views(t *testing.T, b *backpack.Backpack) (staff, guardian *backpack.View) {
	t.Helper()
	staff, err := backpack.StaffView(registrar, b)
	if err != nil {
		t.Fatal(err)
	}
	guardian, err = backpack.GuardianView(requestFor(t, b.SSID(), backpack.Forwarded), b)
	if err != nil {
		t.Fatal(err)
	}
	return staff, guardian
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
		if !strings.HasPrefix(out, "Backpack of student lisa ("+string(v.Audience)+" view)\n") {
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
