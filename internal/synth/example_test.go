package synth_test

import (
	"fmt"
	"os"

	"github.com/studentlink/studentlink/internal/synth"
)

func Example() {
	cfg := synth.DefaultConfig(0)
	cfg.Records = 3
	cfg.LEAs = 2
	roll, err := synth.Generate(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	roll.WriteCSV(os.Stdout)
	roll.WriteTruth(os.Stdout)
	fmt.Println(len(roll.Records), "records;", roll.Truth())
	// Output:
	// record_id,lea_id,school_id,ssid,first_name,middle_name,last_name,suffix,birth_date,sex,grade_level,address,city,zip,entry_date
	// R1,02,02003,,LONG,QUANG,TRẦN,,06/24/2002,Male,12,2682 Willow Way,Ogden,84405,2019-08-16
	// R2,02,02006,8283418162,Isabella,A,Taylor,,12/20/2004,Female,11,4100 Cedar Ln,Lehi,84052,2020-08-23
	// R3,01,01002,8283418162,Isabella,Abigail,Taylor,,2004-12-20,F,12,4100 Cedar Ln,Lehi,84052,2021-08-20
	// record_id,student_id
	// R1,T0000001
	// R2,T0000002
	// R3,T0000002
	// 3 records; [0 1 1]
}
