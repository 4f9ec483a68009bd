// Command dedupe finds the records of one student across a roll and assigns student IDs.
//
// With no arguments it runs on an embedded synthetic state roll (testdata/synth) and
// prints a summary with pairwise precision, recall and F1 against the roll's truth:
//
//	go run ./examples/dedupe
//
// On your own data:
//
//	go run ./examples/dedupe -in roll.csv [-in more.csv] [-preset student|person] \
//	    [-settings settings.json] [-mode dedupe|link|link_and_dedupe] \
//	    [-out clusters.csv] [-review review.csv] [-ids previous.csv] \
//	    [-truth COLUMN | -truth-file truth.csv] [-model model.json] [-problems problems.csv]
//
// -model reuses a trained model when the file exists and saves the trained one otherwise.
// -ids reads record_id,cluster_id rows of an earlier run's -out so students keep their IDs.
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
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := cli.Run(ctx, f, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "dedupe:", err)
		os.Exit(1)
	}
}
