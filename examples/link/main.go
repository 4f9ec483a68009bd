// Command link links the rolls of two or more LEAs: it finds the records in different
// files that belong to the same student, writes those pairs, and assigns student IDs.
//
//	go run ./examples/link -a lea1.csv -b lea2.csv [-in lea3.csv …] [-pairs pairs.csv] \
//	    [-out clusters.csv] [-review review.csv] [-mode link|link_and_dedupe] …
//
// Each file is one source. In link mode (the default) a file holds each student at most
// once; link_and_dedupe also looks for duplicates within a file. With no -a and -b it
// links the embedded sample roll's LEAs with each other. The other flags are those of
// examples/dedupe.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/studentlink/studentlink/internal/cli"
)

func main() {
	var f cli.Flags
	f.Register(flag.CommandLine)
	a := flag.String("a", "", "first LEA's roll (CSV `file`)")
	b := flag.String("b", "", "second LEA's roll (CSV `file`)")
	flag.StringVar(&f.Pairs, "pairs", "", "write the linked cross-source pairs to `file`")
	flag.Parse()
	if (*a == "") != (*b == "") {
		fmt.Fprintln(os.Stderr, "link: give both -a and -b, or neither")
		os.Exit(2)
	}
	if *a != "" {
		f.In = append([]string{*a, *b}, f.In...)
	}
	if f.Mode == "" {
		f.Mode = "link"
	}
	if len(f.In) == 0 {
		f.SplitBy = "lea_id"
		if f.Mode == "link" {
			// The sample roll has duplicates within an LEA too.
			f.Mode = "link_and_dedupe"
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := cli.Run(ctx, f, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "link:", err)
		os.Exit(1)
	}
}
