package main

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/studentlink/studentlink/internal/synth"
)

// TestDamageFlags: flags the program refuses, each before any roll is linked.
func TestDamageFlags(t *testing.T) {
	for _, tt := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"unknown damage", []string{"-kinds", "given_typo,nope"}, `damage: -kinds: no damage "nope" (-kinds list prints them)`},
		{"rate over 1", []string{"-rates", "0.1,2"}, `damage: -rates: "2" is no share over 0 and at most 1`},
		{"rate 0", []string{"-rates", "0"}, `damage: -rates: "0" is no share over 0 and at most 1`},
		{"ssid", []string{"-ssid", "maybe"}, `damage: -ssid: "maybe" is none of both, yes, no`},
		{"students", []string{"-students", "0"}, "damage: -students: 0, need at least 1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), tt.args, &stdout, &stderr); code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if got := strings.TrimSpace(stderr.String()); got != tt.stderr || stdout.Len() > 0 {
				t.Errorf("stderr %q, stdout %q; want stderr %q", got, stdout.String(), tt.stderr)
			}
		})
	}
}

// TestDamageList: -kinds list prints every damage's name and what it does.
func TestDamageList(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"-kinds", "list"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var got, want []string
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		got = append(got, strings.Fields(line)[0])
	}
	for _, d := range synth.Damages() {
		want = append(want, d.Name)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("-kinds list (-want +got):\n%s", diff)
	}
}

// TestDamageRuns links a small roll: the undamaged roll first for each variant, an SSID
// damage only where the roll has SSIDs, and figures that agree with each other (F1 the
// harmonic mean, ΔF1 against the undamaged row). With one record per student every
// link is false: no true pairs, none missed.
func TestDamageRuns(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		want []string // SSIDs, damage, rate of each row
	}{
		{"both", []string{"-students", "150", "-kinds", "birth_date_replaced,ssid_other", "-rates", "0.5"},
			[]string{"SSIDs none 0", "SSIDs birth_date_replaced 0.5", "SSIDs ssid_other 0.5", "none none 0", "none birth_date_replaced 0.5"}},
		{"one record", []string{"-students", "150", "-kinds", "family_replaced", "-rates", "0.3", "-ssid", "no", "-one-record"},
			[]string{"none none 0", "none family_replaced 0.3"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), tt.args, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
			if got := strings.Fields(lines[0]); !cmp.Equal(got[:3], []string{"SSIDs", "damage", "rate"}) {
				t.Fatalf("header %q", lines[0])
			}
			var rows []string
			var baseF1 float64
			for _, line := range lines[1:] {
				f := strings.Fields(line)
				rows = append(rows, strings.Join(f[:3], " "))
				num := func(k int) float64 {
					v, err := strconv.ParseFloat(f[k], 64)
					if err != nil {
						t.Fatalf("row %q, column %d: %v", line, k, err)
					}
					return v
				}
				p, r, f1, delta, falsePairs, missed := num(4), num(5), num(6), num(7), num(8), num(9)
				if f[1] == "none" {
					baseF1 = f1
				}
				if want := 2 * p * r / max(p+r, 1e-300); abs(f1-want) > 1e-4 {
					t.Errorf("row %q: F1 %.4f, want %.4f from precision and recall", line, f1, want)
				}
				if abs(delta-(f1-baseF1)) > 2e-4 {
					t.Errorf("row %q: ΔF1 %+.4f, want %+.4f", line, delta, f1-baseF1)
				}
				if strings.Contains(strings.Join(tt.args, " "), "-one-record") && missed != 0 {
					t.Errorf("row %q: one record per student, yet %v pairs missed", line, missed)
				}
				if falsePairs < 0 || missed < 0 {
					t.Errorf("row %q: negative pairs", line)
				}
			}
			if diff := cmp.Diff(tt.want, rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDamageInterrupted: a cancelled run prints what finished and exits 130.
func TestDamageInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var stdout, stderr bytes.Buffer
	if code := run(ctx, []string{"-students", "50"}, &stdout, &stderr); code != exitInterrupted {
		t.Errorf("exit %d, want %d: %s", code, exitInterrupted, stderr.String())
	}
	if !strings.Contains(stderr.String(), "damage: interrupted; 0 run(s) finished") {
		t.Errorf("stderr %q", stderr.String())
	}
}

func abs(x float64) float64 { return max(x, -x) }
