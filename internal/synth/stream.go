package synth

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
)

// streamBatch is how many records Stream shuffles together before writing them.
const streamBatch = 1 << 16

// Stream generates a roll like Generate but writes it as it goes, holding only the
// students and one batch of records in memory, so rolls of many millions fit in little
// memory. Records are shuffled within batches of 65,536 and numbered R1, R2, … in the
// order written; a student's records therefore lie within about one batch of each other,
// which a matcher must not use (none in this module reads row order). The records are
// Generate's for the same Config, in another order and numbering. It returns the number of records written, and
// stops with ctx.Err() when ctx is cancelled.
func Stream(ctx context.Context, c Config, roll, truth io.Writer) (int, error) {
	if err := c.Validate(); err != nil {
		return 0, err
	}
	if c.Records > 0 {
		c.Students = c.Records*10/12 + 1
	}
	g := newGen(c)
	students := g.students()
	rw, tw := bufio.NewWriterSize(roll, 1<<16), bufio.NewWriterSize(truth, 1<<16)
	writeRow(rw, Header)
	writeRow(tw, []string{"record_id", "student_id"})
	written := 0
	batch := make([]Record, 0, streamBatch+16)
	// A separate source for the shuffles leaves the records themselves those Generate makes.
	shuffler := rand.New(rand.NewPCG(c.Seed, 0x5a17))
	flush := func() error {
		if err := ctx.Err(); err != nil {
			return err
		}
		shuffler.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
		for i := range batch {
			written++
			batch[i].ID = "R" + strconv.Itoa(written)
			writeRow(rw, batch[i].Fields())
			writeRow(tw, []string{batch[i].ID, fmt.Sprintf("T%07d", batch[i].Student+1)})
		}
		batch = batch[:0]
		return nil
	}
	for s := range students {
		g.submissions(&batch, int32(s), &students[s])
		if c.Records > 0 && written+len(batch) >= c.Records {
			batch = batch[:c.Records-written]
			break
		}
		if len(batch) >= streamBatch {
			if err := flush(); err != nil {
				return written, err
			}
		}
	}
	if err := flush(); err != nil {
		return written, err
	}
	if c.Records > 0 && written < c.Records {
		return written, fmt.Errorf("synth: %d students made only %d of %d records; raise ExtraSubmissions or set Students", len(students), written, c.Records)
	}
	if err := rw.Flush(); err != nil {
		return written, err
	}
	return written, tw.Flush()
}
