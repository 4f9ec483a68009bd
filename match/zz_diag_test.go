package match

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestZZDiag(t *testing.T) {
	path, pairs := os.Getenv("ZZ_ROLL"), os.Getenv("ZZ_PAIRS")
	if path == "" {
		t.Skip()
	}
	roll, err := NewRoll("record_id", StudentColumns())
	if err != nil {
		t.Fatal(err)
	}
	if err := roll.ReadCSVFile(path); err != nil {
		t.Fatal(err)
	}
	l, err := New(StudentSettings())
	if err != nil {
		t.Fatal(err)
	}
	res, err := l.Run(context.Background(), roll, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range strings.Split(pairs, " ") {
		ab := strings.Split(p, ",")
		chain, together, err := res.Why(ab[0], ab[1])
		fmt.Println(p, "together", together, err)
		for _, c := range chain {
			fmt.Println(" ", c.A, c.B, c.Explanation)
		}
	}
}
