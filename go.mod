module github.com/studentlink/studentlink

go 1.24.0

require (
	github.com/antzucaro/matchr v0.0.0-20221106193745-7bed6ef61ef9
	github.com/google/go-cmp v0.7.0
	golang.org/x/text v0.34.0
)

require github.com/hbollon/go-edlib v1.6.0
