package service

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
)

// TestValidAccountPermissions: an account holds only PermView and PermRequest; the
// permission to hand backpacks to LEAs is the state's enrollment service's alone.
func TestValidAccountPermissions(t *testing.T) {
	staff := func(p backpack.Permission) Account {
		return Account{Username: "registrar.01", Role: RoleStaff, LEA: "01", Permissions: p}
	}
	for _, tt := range []struct {
		name string
		a    Account
		want string // the error, "" for none
	}{
		{"view", staff(backpack.PermView), ""},
		{"view and request", staff(backpack.PermView | backpack.PermRequest), ""},
		{"view and hand off", staff(backpack.PermView | backpack.PermHandOff),
			`service: account "registrar.01": an account holds only the permissions "view backpacks" and "request backpacks and manage guardian requests", not "hand backpacks to LEAs" (only the state's enrollment service hands backpacks to LEAs)`},
		{"an unknown permission", staff(backpack.PermView | 1<<6),
			`service: account "registrar.01": an account holds only the permissions "view backpacks" and "request backpacks and manage guardian requests", not "permissions 0x40" (only the state's enrollment service hands backpacks to LEAs)`},
		{"a reviewer handing off", Account{Username: "reviewer", Role: RoleReviewer, Permissions: backpack.PermHandOff},
			`service: account "reviewer": an account holds only the permissions "view backpacks" and "request backpacks and manage guardian requests", not "hand backpacks to LEAs" (only the state's enrollment service hands backpacks to LEAs)`},
	} {
		var got string
		if err := validAccount(tt.a); err != nil {
			got = err.Error()
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}
