package service

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestThrottleKey: an IPv6 address is throttled by its /64, any other address as given.
func TestThrottleKey(t *testing.T) {
	for _, c := range []struct{ address, want string }{
		{"10.0.0.1", "10.0.0.1"},
		{"::ffff:10.0.0.1", "10.0.0.1"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2::ffff", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"::1", "::/64"},
		{"not an address", "not an address"},
		{"", ""},
	} {
		if got := throttleKey(c.address); got != c.want {
			t.Errorf("throttleKey(%q) = %q, want %q", c.address, got, c.want)
		}
	}
}

// TestThrottleBucket: a burst, then a token a second; a refused call says when to come
// back, and only the first refused call of a window is not counted.
func TestThrottleBucket(t *testing.T) {
	t0 := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	type got struct {
		Allowed, First bool
		Retry          time.Duration
	}
	th := newThrottle(apiThrottle)
	for k, c := range []struct {
		at   time.Duration
		n    int
		want got
	}{
		{0, throttleBurst, got{Allowed: true}},
		{0, 1, got{First: true, Retry: time.Second}},
		{0, 5, got{Retry: time.Second}},
		{time.Second, 1, got{Allowed: true}},
		{1500 * time.Millisecond, 1, got{Retry: 500 * time.Millisecond}},
		{3 * time.Second, 2, got{Allowed: true}}, // 0.5 + 1.5 tokens
		{3 * time.Second, 1, got{Retry: time.Second}},
		{time.Hour, throttleBurst, got{Allowed: true}}, // the bucket is full again, the window over
		{time.Hour, 1, got{First: true, Retry: time.Second}},
	} {
		for i := range c.n {
			v := th.take("10.0.0.1", t0.Add(c.at))
			if diff := cmp.Diff(c.want, got{v.allowed, v.first, v.retryAfter}); diff != "" {
				t.Fatalf("step %d, call %d (-want +got):\n%s", k, i, diff)
			}
		}
	}
}

// TestThrottleBounded: under a flood of 10,000 distinct addresses the table holds at
// most maxThrottled of them, the rest share one slot and are throttled too, every
// throttled call is either audited or counted in a window's entry, and idle slots are
// given up.
func TestThrottleBounded(t *testing.T) {
	t0 := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	th := newThrottle(apiThrottle)
	const addresses, calls = 10_000, throttleBurst + 3
	var allowed, first, counted, ended int
	for a := range addresses {
		from := fmt.Sprintf("10.%d.%d.%d", a>>16, (a>>8)&255, a&255)
		for range calls {
			v := th.take(from, t0)
			switch {
			case v.allowed:
				allowed++
			case v.first:
				first++
			default:
				counted++
			}
			for _, c := range v.ended {
				ended += c.n
			}
		}
		if n := th.size(); n > maxThrottled {
			t.Fatalf("after %d addresses the table holds %d", a+1, n)
		}
	}
	if want := maxThrottled*throttleBurst + throttleBurst; allowed != want {
		t.Errorf("%d calls allowed, want %d (a burst for each address in the table and one for the rest)", allowed, want)
	}
	if want := maxThrottled + 1; first != want {
		t.Errorf("%d calls audited as the first throttled, want %d", first, want)
	}
	for _, c := range th.sweep(t0.Add(throttleWindow)) {
		ended += c.n
	}
	if ended != counted {
		t.Errorf("the windows' entries count %d throttled calls, %d were counted", ended, counted)
	}
	if n := th.size(); n != 0 {
		t.Errorf("%d slots after the windows ended and the buckets filled, want 0", n)
	}
	if v := th.take("192.0.2.1", t0.Add(throttleWindow)); !v.allowed || v.from != "192.0.2.1" {
		t.Errorf("a new address after the flood: %+v", v)
	}
}

// TestThrottleFlush: closing counts every open window, ended or not, once.
func TestThrottleFlush(t *testing.T) {
	t0 := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	th := newThrottle(apiThrottle)
	for range throttleBurst + 4 {
		th.take("10.0.0.1", t0)
	}
	th.take("10.0.0.2", t0) // allowed: nothing to count
	want := []throttledCalls{{kind: apiThrottle, from: "10.0.0.1", n: 3, since: t0, until: t0.Add(time.Second)}}
	if diff := cmp.Diff(want, th.flush(t0.Add(time.Second)), cmp.AllowUnexported(throttledCalls{}, throttleKind{})); diff != "" {
		t.Errorf("flush (-want +got):\n%s", diff)
	}
	if got := th.flush(t0.Add(2 * time.Second)); len(got) != 0 {
		t.Errorf("a second flush: %+v", got)
	}
}
