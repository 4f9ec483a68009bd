package match

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/internal/datasets"
	"github.com/studentlink/studentlink/internal/synth"
	"github.com/studentlink/studentlink/normalize"
	"github.com/studentlink/studentlink/score"
)

// twinRoll holds twins and triplets whose SSIDs were issued together (one digit apart),
// twins without SSIDs, twins whose given names are one letter apart in spelling (Ella and
// Emma), one child recorded under a nickname (Liz for Elizabeth), a brother recorded
// under his sister's SSID, and siblings sharing a placeholder SSID. Every child has
// records from two LEAs; the record ID's prefix before the dash names the child.
const twinRoll = studentHeader +
	"emma-1,01,01001,4000000014,Emma,,Johnson,,2014-05-06,F,4,88 Orchard Ln,Provo,84601,2023-08-20\n" +
	"emma-2,02,02003,4000000014,Emma,Rose,Johnson,,05/06/2014,Female,5,88 Orchard Ln,Provo,84601,2024-08-19\n" +
	"olivia-1,01,01001,4000000015,Olivia,,Johnson,,2014-05-06,F,4,88 Orchard Ln,Provo,84601,2023-08-20\n" +
	"olivia-2,02,02003,4000000015,Olivia,Grace,Johnson,,05/06/2014,Female,5,88 Orchard Ln,Provo,84601,2024-08-19\n" +
	"ethan-1,03,03002,4000000020,Ethan,,Park,,2013-09-10,M,5,9 Ridge Rd,Lehi,84003,2023-08-20\n" +
	"ethan-2,04,04001,4000000020,ETHAN,,PARK,,20130910,M,6,9 Ridge Rd,Lehi,84003,2024-08-19\n" +
	"evan-1,03,03002,4000000021,Evan,,Park,,2013-09-10,M,5,9 Ridge Rd,Lehi,84003,2023-08-20\n" +
	"evan-2,04,04001,4000000021,EVAN,,PARK,,20130910,M,6,9 Ridge Rd,Lehi,84003,2024-08-19\n" +
	"ava-1,05,05001,4000000030,Ava,,Lee,,2015-02-03,F,3,4 Pine St,Ogden,84401,2023-08-20\n" +
	"ava-2,06,06002,4000000030,Ava,,Lee,,2/3/2015,F,4,4 Pine St,Ogden,84401,2024-08-19\n" +
	"mia-1,05,05001,4000000031,Mia,,Lee,,2015-02-03,F,3,4 Pine St,Ogden,84401,2023-08-20\n" +
	"mia-2,06,06002,4000000031,Mia,,Lee,,2/3/2015,F,4,4 Pine St,Ogden,84401,2024-08-19\n" +
	"zoe-1,05,05001,4000000032,Zoe,,Lee,,2015-02-03,F,3,4 Pine St,Ogden,84401,2023-08-20\n" +
	"zoe-2,06,06002,4000000032,Zoe,,Lee,,2/3/2015,F,4,4 Pine St,Ogden,84401,2024-08-19\n" +
	"noah-1,07,07001,,Noah,,Brown,,2012-11-12,M,6,70 Lake Dr,Logan,84321,2023-08-20\n" +
	"noah-2,08,08001,,Noah,James,Brown,,11/12/2012,M,7,70 Lake Dr,Logan,84321,2024-08-19\n" +
	"liam-1,07,07001,,Liam,,Brown,,2012-11-12,M,6,70 Lake Dr,Logan,84321,2023-08-20\n" +
	"liam-2,08,08001,,Liam,Paul,Brown,,11/12/2012,M,7,70 Lake Dr,Logan,84321,2024-08-19\n" +
	"ella-1,01,01002,4000000050,Ella,,Wilson,,2016-07-08,F,2,3 Mill Rd,Orem,84057,2023-08-20\n" +
	"ella-2,02,02001,4000000050,Ella,,Wilson,,7/8/2016,F,3,3 Mill Rd,Orem,84057,2024-08-19\n" +
	"emmaw-1,01,01002,4000000051,Emma,,Wilson,,2016-07-08,F,2,3 Mill Rd,Orem,84057,2023-08-20\n" +
	"emmaw-2,02,02001,4000000051,Emma,,Wilson,,7/8/2016,F,3,3 Mill Rd,Orem,84057,2024-08-19\n" +
	"eliz-1,03,03001,4000000040,Elizabeth,,Davis,,2011-03-04,F,7,21 Oak Ave,Sandy,84070,2023-08-20\n" +
	"eliz-2,04,04002,4000000040,Liz,,Davis,,3/4/2011,F,8,21 Oak Ave,Sandy,84070,2024-08-19\n" +
	"eliz-3,05,05002,,Liz,,Davis,,2011-03-04,F,8,21 Oak Ave,Sandy,84070,2024-08-25\n" +
	// Emma's brother, recorded once, under her SSID by mistake; and two siblings whose
	// LEAs wrote a placeholder for a missing SSID.
	"noahj-1,03,03001,4000000014,Noah,,Johnson,,2011-02-03,M,7,88 Orchard Ln,Provo,84601,2024-08-19\n" +
	"mila-1,05,05003,000000000,Mila,,Ortiz,,2012-04-05,F,6,5 Elm St,Logan,84321,2023-08-20\n" +
	"mila-2,06,06003,000000000,Mila,,Ortiz,,4/5/2012,F,7,5 Elm St,Logan,84321,2024-08-19\n" +
	"leo-1,05,05003,000000000,Leo,,Ortiz,,2014-09-10,M,4,5 Elm St,Logan,84321,2023-08-20\n"

// twinSSIDRoll holds children only their SSIDs tell apart, for models that compare SSIDs
// (one trained on a roll without them has nothing to tell them by).
const twinSSIDRoll = studentHeader +
	// Twins, one's middle name the other's given name, their SSIDs different.
	"allison-1,06,06004,4000000070,Allison,Mia,Hill,,2008-05-25,F,9,56 Canyon Rd,Moab,84532,2023-08-20\n" +
	"miah-1,06,06004,4000000071,Mia,C,Hill,,2008-05-25,F,9,56 Canyon Rd,Moab,84532,2023-08-20\n" +
	// Namesakes born the same day in two towns, their SSIDs different; the second's
	// record without an SSID must not bridge them.
	"benw-1,07,07003,6491258953,Benjamin,,Walker,,2012-12-08,M,5,9 Main St,Tooele,84074,2023-08-20\n" +
	"benl-1,04,04003,,Benjamin,Logan,Walker,,20121208,M,5,44 1st Ave,Vernal,84078,2023-08-20\n" +
	"benl-2,08,08003,8756693499,Benjamin,,Walker,,12/08/2012,Male,6,44 1st Ave,Vernal,84078,2024-08-19\n" +
	// Twins whose given names are a letter apart and whose SSIDs differ outright, one
	// record sent without an address: the zip they share is no more a home than none.
	"masono-1,02,02004,4000000214,Mason,,Ortega,,2011-05-06,M,7,9 Elm St,Ogden,84401,2023-08-20\n" +
	"jasono-1,03,03004,7123456789,Jason,,Ortega,,2011-05-06,M,7,,Ogden,84401,2023-08-20\n" +
	// One girl given a second SSID by a new LEA, which has her nickname: a nickname is
	// her name, and one child (twins' names in one nickname group are rarer than this).
	"lizh-1,05,05001,7734019226,Elizabeth,,Pratt,,2012-10-19,F,6,44 Canyon View Rd,Cedar City,84720,2023-08-20\n" +
	"lizh-2,06,06001,8812230094,Liz,,Pratt,,10/19/2012,F,7,44 Canyon View Rd,Cedar City,84720,2024-08-19\n"

// twinNoAddressRoll holds twins whose SSIDs differ outright, sent by LEAs that write no
// addresses: the zip they share is their home as far as the roll can tell, and the
// names (a sound apart, or different) do not make them one child.
const twinNoAddressRoll = studentHeader +
	"larry-1,01,01003,7292143610,Larry,,Perry,,2013-03-14,M,5,,Provo,84604,2023-08-20\n" +
	"larry-2,02,02005,7292143610,Larry,,Perry,,3/14/2013,M,6,,Provo,84604,2024-08-19\n" +
	"matt-1,01,01003,2514289790,Matthew,David,Perry,,2013-03-14,M,5,,Provo,84604,2023-08-20\n" +
	"matt-2,02,02005,2514289790,Matthew,,Perry,,3/14/2013,M,6,,Provo,84604,2024-08-19\n" +
	"carly-1,03,03003,6620185534,Carly,,Nakamura,,2015-11-02,F,3,,Lehi,84043,2023-08-20\n" +
	"carly-2,04,04003,6620185534,Carly,,Nakamura,,11/2/2015,F,4,,Lehi,84043,2024-08-19\n" +
	"karla-1,03,03003,1938475610,Karla,,Nakamura,,2015-11-02,F,3,,Lehi,84043,2023-08-20\n" +
	"karla-2,04,04003,1938475610,Karla,,Nakamura,,11/2/2015,F,4,,Lehi,84043,2024-08-19\n"

// twinRhymeRoll holds twins whose given names are one letter apart (Hailey and Bailey,
// Mason and Jason, Maria and Marta: Jaro–Winkler 0.85–0.92, a typo's distance) and whose
// SSIDs were issued together, a digit apart; Kayla and Jayla live in two homes. Each
// child has two records agreeing on her SSID.
const twinRhymeRoll = studentHeader +
	"hailey-1,01,01001,4100000000,Hailey,,Fenton,,2014-05-01,F,4,10 Elm St,Provo,84601,2023-08-20\n" +
	"hailey-2,02,02003,4100000000,Hailey,,Fenton,,5/1/2014,F,5,10 Elm St,Provo,84601,2024-08-19\n" +
	"bailey-1,01,01001,4100000001,Bailey,,Fenton,,2014-05-01,F,4,10 Elm St,Provo,84601,2023-08-20\n" +
	"bailey-2,02,02003,4100000001,Bailey,,Fenton,,5/1/2014,F,5,10 Elm St,Provo,84601,2024-08-19\n" +
	"mason-1,03,03002,4100000500,Mason,,Okafor,,2013-02-06,M,5,5 Ash Ave,Lehi,84003,2023-08-20\n" +
	"mason-2,04,04001,4100000500,Mason,,Okafor,,2/6/2013,M,6,5 Ash Ave,Lehi,84003,2024-08-19\n" +
	"jason-1,03,03002,4100000501,Jason,,Okafor,,2013-02-06,M,5,5 Ash Ave,Lehi,84003,2023-08-20\n" +
	"jason-2,04,04001,4100000501,Jason,,Okafor,,2/6/2013,M,6,5 Ash Ave,Lehi,84003,2024-08-19\n" +
	"maria-1,05,05001,4100001000,Maria,,Quintero,,2015-09-02,F,3,7 Fir Ct,Ogden,84401,2023-08-20\n" +
	"maria-2,06,06002,4100001000,Maria,,Quintero,,9/2/2015,F,4,7 Fir Ct,Ogden,84401,2024-08-19\n" +
	"marta-1,05,05001,4100001001,Marta,,Quintero,,2015-09-02,F,3,7 Fir Ct,Ogden,84401,2023-08-20\n" +
	"marta-2,06,06002,4100001001,Marta,,Quintero,,9/2/2015,F,4,7 Fir Ct,Ogden,84401,2024-08-19\n" +
	"kayla-1,07,07001,4100001100,Kayla,,Brandt,,2012-11-03,F,6,11 Oak St,Logan,84321,2023-08-20\n" +
	"kayla-2,08,08001,4100001100,Kayla,,Brandt,,11/3/2012,F,7,11 Oak St,Logan,84321,2024-08-19\n" +
	"jayla-1,07,07001,4100001101,Jayla,,Brandt,,2012-11-03,F,6,902 River Rd,Sandy,84070,2023-08-20\n" +
	"jayla-2,08,08001,4100001101,Jayla,,Brandt,,11/3/2012,F,7,902 River Rd,Sandy,84070,2024-08-19\n" +
	// Names closer still (Jaro–Winkler ≥ 0.92), SSIDs issued together.
	"ryan-1,03,03001,4100001200,Ryan,,Castillo,,2011-06-07,M,7,4 Elm Ct,Orem,84057,2023-08-20\n" +
	"ryan-2,04,04002,4100001200,Ryan,,Castillo,,6/7/2011,M,8,4 Elm Ct,Orem,84057,2024-08-19\n" +
	"bryan-1,03,03001,4100001201,Bryan,,Castillo,,2011-06-07,M,7,4 Elm Ct,Orem,84057,2023-08-20\n" +
	"bryan-2,04,04002,4100001201,Bryan,,Castillo,,6/7/2011,M,8,4 Elm Ct,Orem,84057,2024-08-19\n"

// twinAlikeNoSSIDRoll holds twins with no SSIDs whose given names are a letter or a
// sound apart (Mason and Jason, Ava and Eva), one home: only a reviewer can tell them
// from one child's name mistyped, so they must not link on their own.
const twinAlikeNoSSIDRoll = studentHeader +
	"mason-1,01,01001,,Mason,,Okafor,,2013-02-06,M,5,5 Ash Ave,Lehi,84003,2023-08-20\n" +
	"mason-2,02,02003,,Mason,,Okafor,,2/6/2013,M,6,5 Ash Ave,Lehi,84003,2024-08-19\n" +
	"jason-1,01,01001,,Jason,,Okafor,,2013-02-06,M,5,5 Ash Ave,Lehi,84003,2023-08-20\n" +
	"jason-2,02,02003,,Jason,,Okafor,,2/6/2013,M,6,5 Ash Ave,Lehi,84003,2024-08-19\n" +
	"ava-1,03,03001,,Ava,,Lindqvist,,2014-10-02,F,4,8 Birch St,Orem,84057,2023-08-20\n" +
	"ava-2,04,04002,,Ava,,Lindqvist,,10/2/2014,F,5,8 Birch St,Orem,84057,2024-08-19\n" +
	"eva-1,03,03001,,Eva,,Lindqvist,,2014-10-02,F,4,8 Birch St,Orem,84057,2023-08-20\n" +
	"eva-2,04,04002,,Eva,,Lindqvist,,10/2/2014,F,5,8 Birch St,Orem,84057,2024-08-19\n" +
	// Caleb's and Kaleb's records, one sent without an address.
	"caleb-1,05,05001,,Caleb,,Whitmore,,2011-02-17,M,7,15 Quail Run,Roosevelt,84066,2023-08-20\n" +
	"kaleb-1,06,06001,,Kaleb,,Whitmore,,2/17/2011,M,8,,Roosevelt,84066,2024-08-19\n"

// twinAlikeNoDateRoll holds twins and siblings whose given names are a letter or a sound
// apart (Mason and Jason, Caleb and Kaleb, Ava and Eva, Hailey and Bailey, Maria and
// Marta), one record of each pair sent without a birth date: a birth date missing says
// less than one that agrees, so what sends such names in one home to a reviewer on one
// birthday does so without one. Hailey's and Bailey's SSIDs were issued together; Marta's
// record has no SSID and no address, only the town. Noah's records, one without a birth
// date, are one child's.
const twinAlikeNoDateRoll = studentHeader +
	"mason-1,01,01001,,Mason,,Okafor,,2013-02-06,M,5,5 Ash Ave,Lehi,84003,2023-08-20\n" +
	"mason-2,02,02003,,Mason,,Okafor,,2/6/2013,M,6,5 Ash Ave,Lehi,84003,2024-08-19\n" +
	"jason-1,01,01001,,Jason,,Okafor,,,M,5,5 Ash Ave,Lehi,84003,2023-08-20\n" +
	"caleb-1,05,05001,,Caleb,,Whitmore,,2011-02-17,M,7,15 Quail Run,Roosevelt,84066,2023-08-20\n" +
	"kaleb-1,06,06001,,Kaleb,,Whitmore,,,M,8,15 Quail Run,Roosevelt,84066,2024-08-19\n" +
	"ava-1,03,03001,,Ava,,Lindqvist,,,F,4,8 Birch St,Orem,84057,2023-08-20\n" +
	"eva-1,03,03001,,Eva,,Lindqvist,,2014-10-02,F,4,8 Birch St,Orem,84057,2023-08-20\n" +
	"hailey-1,01,01001,4100000000,Hailey,,Fenton,,2014-05-01,F,4,10 Elm St,Provo,84601,2023-08-20\n" +
	"bailey-1,01,01001,4100000001,Bailey,,Fenton,,,F,4,10 Elm St,Provo,84601,2023-08-20\n" +
	"maria-1,05,05001,4100001000,Maria,,Quintero,,2015-09-02,F,3,7 Fir Ct,Ogden,84401,2023-08-20\n" +
	"marta-1,05,05001,,Marta,,Quintero,,,F,3,,Ogden,84401,2023-08-20\n" +
	"noah-1,07,07001,,Noah,,Brown,,2012-11-12,M,6,70 Lake Dr,Logan,84321,2023-08-20\n" +
	"noah-2,08,08001,,Noah,,Brown,,,M,7,70 Lake Dr,Logan,84321,2024-08-19\n" +
	// A birth date known only to its year says no more than none.
	"masoni-1,02,02001,,Mason,,Ibarra,,2012-04-11,M,6,9 Oak St,Provo,84601,2023-08-20\n" +
	"jasoni-1,02,02001,,Jason,,Ibarra,,2012,M,6,9 Oak St,Provo,84601,2023-08-20\n"

// twinAlikeNoDateSSIDRoll holds twins whose given names are alike and whose SSIDs differ,
// one record without a birth date: Mason's and Jason's SSIDs are consecutive numbers
// across a carry (two digits differ), Caleb's and Kaleb's differ outright.
const twinAlikeNoDateSSIDRoll = studentHeader +
	"mason-1,01,01001,4300000009,Mason,,Okafor,,2013-02-06,M,5,5 Ash Ave,Lehi,84003,2023-08-20\n" +
	"jason-1,01,01001,4300000010,Jason,,Okafor,,,M,5,5 Ash Ave,Lehi,84003,2023-08-20\n" +
	"caleb-1,04,04001,7100000000,Caleb,,Whitmore,,2011-02-17,M,7,15 Quail Run,Roosevelt,84066,2023-08-20\n" +
	"kaleb-1,04,04001,7200000055,Kaleb,,Whitmore,,,M,7,15 Quail Run,Roosevelt,84066,2024-08-19\n"

// movedOneChildRoll holds children whose family names read differently at a new LEA
// after a move (a double name in the other order; a name changed), each with a record
// without an SSID beside two that share one: one child each. (Where records without an
// SSID stand on both sides of the move, the two without one are namesakes to the rules,
// and a reviewer joins them.)
const movedOneChildRoll = studentHeader +
	"vale-1,01,01001,5100000088,Valentina,,Garcia Lopez,,2014-10-19,F,4,310 N 400 W,Ogden,84401,2021-08-20\n" +
	"vale-2,03,03001,5100000088,Valentina,,Lopez Garcia,,2014-10-19,F,5,77 Harrison Blvd,Ogden,84403,2022-08-20\n" +
	"vale-3,03,03002,,Valentina,,Lopez Garcia,,2014-10-19,F,6,77 Harrison Blvd,Ogden,84403,2023-08-20\n" +
	"ethan-2,01,01001,5100000099,Ethan,Cole,Smith,,2011-06-15,M,8,230 Pine St,Layton,84041,2021-08-20\n" +
	"ethan-3,02,02001,5100000099,Ethan,Cole,Johnson,,2011-06-15,M,9,1190 Quail Dr,Kaysville,84037,2022-08-20\n" +
	"ethan-4,02,02002,,Ethan,Cole,Johnson,,2011-06-15,M,10,1190 Quail Dr,Kaysville,84037,2023-08-20\n"

// twinOneSSIDNoDateRoll holds twins under one SSID (one twin's typed for the other), one
// home, one record without a birth date.
const twinOneSSIDNoDateRoll = studentHeader +
	"liam-1,01,01001,6100000123,Liam,,Barlow,,2014-08-02,M,4,52 Spruce St,Tooele,84074,2023-08-20\n" +
	"noah-1,02,02001,6100000123,Noah,,Barlow,,,M,4,52 Spruce St,Tooele,84074,2023-08-20\n"

// namesakesOtherFamilyRoll holds namesakes without SSIDs who share a given name, a
// birthday and a town, their family names and homes different: a double family name
// in the other order is another family's (the father's and the mother's first names).
// One LEA sends SSIDs: a roll with some is no roll with them all.
const namesakesOtherFamilyRoll = studentHeader +
	"masono-1,05,05001,,Mason,,Okafor,,2013-03-03,M,5,5 Ash Ave,Lehi,84043,2023-08-20\n" +
	"masoni-1,06,06001,,Mason,,Ibarra,,2013-03-03,M,5,9 Ash Ave,Lehi,84043,2023-08-20\n" +
	"emmal-1,05,05001,,Emma,,Larsen,,2014-06-21,F,4,310 N 400 W,Lehi,84043,2023-08-20\n" +
	"emmat-1,06,06001,,Emma,,Torres,,2014-06-21,F,4,1522 E Main St,Lehi,84043,2023-08-20\n" +
	"mateohr-1,01,01002,,Mateo,,Hernandez Ruiz,,2013-05-02,M,5,45 Elm St,Provo,84601,2023-08-20\n" +
	"mateorh-1,02,02002,,Mateo,,Ruiz Hernandez,,2013-05-02,M,5,900 W Center St,Provo,84604,2023-08-20\n" +
	"olivia-1,05,05001,,Olivia,,Smith-Jones,,2015-09-01,F,3,4 Birch Ln,Orem,84057,2023-08-20\n" +
	"oliviaj-1,06,06001,,Olivia,,Jones Smith,,2015-09-01,F,3,88 Apple Way,Orem,84058,2023-08-20\n" +
	"carrier-1,09,09001,7300000101,Aria,,Tuilagi,,2012-02-02,F,6,1 Bay Rd,Logan,84321,2023-08-20\n"

// typoRoll holds one child whose second record has the given name and the SSID both
// mistyped, the SSID in a middle digit (FEBRL's duplicates are made so): not twins,
// whose SSIDs are issued together, numbers a few apart.
const typoRoll = studentHeader +
	"amber-1,01,01001,7925975012,Amber,,Brangwen,,2009-09-05,F,9,1 Shackleton Cct,Provo,84601,2023-08-20\n" +
	"amber-2,02,02003,7925075012,Amger,,Brangwen,,9/5/2009,F,10,1 Shackleton Cct,Provo,84601,2024-08-19\n" +
	"amber-3,03,03001,7925975012,Amber,,Brangwen,,2009-09-05,F,10,1 Shackleton Cct,Provo,84601,2024-08-25\n"

// twinSexRoll holds boy and girl twins, the boy recorded once under his sister's SSID:
// only a model that compares sex can tell them apart (a roll without it reads the one
// SSID, the birth date and the household as one child whose given name was mistyped).
const twinSexRoll = studentHeader +
	"sofia-1,07,07002,4000000060,Sofia,,Reyes,,2013-03-03,F,5,14 Bay Rd,Provo,84604,2023-08-20\n" +
	"sofia-2,08,08002,4000000060,Sofia,,Reyes,,3/3/2013,F,6,14 Bay Rd,Provo,84604,2024-08-19\n" +
	"mateo-1,08,08002,4000000060,Mateo,,Reyes,,3/3/2013,M,6,14 Bay Rd,Provo,84604,2024-08-19\n"

// twinGenderRoll holds boy and girl twins whose given names are one name's two forms
// (Julian and Julia, Gabriel and Gabriella: Jaro–Winkler ≥ 0.92), their SSIDs differing
// outright: only the sexes tell them from one child whose name was mistyped.
const twinGenderRoll = studentHeader +
	"julian-1,01,01001,4100002000,Julian,,Moreno,,2013-01-09,M,5,7 Oak Ln,Provo,84601,2023-08-20\n" +
	"julian-2,02,02003,4100002000,Julian,,Moreno,,1/9/2013,M,6,7 Oak Ln,Provo,84601,2024-08-19\n" +
	"julia-1,01,01001,5239018763,Julia,,Moreno,,2013-01-09,F,5,7 Oak Ln,Provo,84601,2023-08-20\n" +
	"julia-2,02,02003,5239018763,Julia,,Moreno,,1/9/2013,F,6,7 Oak Ln,Provo,84601,2024-08-19\n" +
	"gabriel-1,05,05001,,Gabriel,,Santos,,2012-04-02,M,6,9 Pine Rd,Ogden,84401,2023-08-20\n" +
	"gabriel-2,06,06002,,Gabriel,,Santos,,4/2/2012,M,7,9 Pine Rd,Ogden,84401,2024-08-19\n" +
	"gabriella-1,05,05001,,Gabriella,,Santos,,2012-04-02,F,6,9 Pine Rd,Ogden,84401,2023-08-20\n" +
	"gabriella-2,06,06002,,Gabriella,,Santos,,4/2/2012,F,7,9 Pine Rd,Ogden,84401,2024-08-19\n"

// twinSwapRoll holds boy and girl twins without SSIDs, the boy's name written family
// name first at one LEA ("Johnson Thomas"): beside his sister, neither name agrees, and
// only the sexes tell two children from one whose names were both recorded wrong.
const twinSwapRoll = studentHeader +
	"olivia-1,02,02005,,Olivia,,Johnson,,2009-10-08,F,7,8760 Aspen Ct,Moab,84544,2021-08-22\n" +
	"olivia-2,03,03001,,Olivia,,Johnson,,10/08/2009,Female,8,8760 Aspen Ct,Moab,84544,2022-08-21\n" +
	"thomas-1,05,05003,,Johnson,,Thomas,,\"Oct 8, 2009\",Male,8,8760 Aspen Ct,Moab,84544,2022-08-23\n" +
	"thomas-2,02,02005,,Thomas,,Johnson,,2009-10-08,M,7,8760 Aspen Ct,Moab,84544,2021-08-22\n"

// twinInitialRoll holds twins, each recorded once by name and once by initial at
// another LEA: "E" is Emma's and "O" Olivia's, never each other's (an initial has no
// sound: Metaphone gave E and O the same code).
const twinInitialRoll = studentHeader +
	"emma-1,01,01001,4000000014,Emma,,Johnson,,2014-05-06,F,4,88 Orchard Ln,Provo,84601,2023-08-20\n" +
	"emma-2,02,02003,4000000014,E,,Johnson,,05/06/2014,F,5,88 Orchard Ln,Provo,84601,2024-08-19\n" +
	"olivia-1,01,01001,4000000015,Olivia,,Johnson,,2014-05-06,F,4,88 Orchard Ln,Provo,84601,2023-08-20\n" +
	"olivia-2,02,02003,4000000015,O,,Johnson,,05/06/2014,F,5,88 Orchard Ln,Provo,84601,2024-08-19\n"

// twinNoDateRoll holds two sisters whose LEAs left the birth date blank and
// whose SSIDs were issued together: the same family name and home, nothing else.
const twinNoDateRoll = studentHeader +
	"maya-1,01,01001,4000000080,Maya,,Reyes,,,F,4,14 Bay Rd,Provo,84604,2023-08-20\n" +
	"maya-2,02,02003,4000000080,Maya,,Reyes,,2014-05-06,F,5,14 Bay Rd,Provo,84604,2024-08-19\n" +
	"lucia-1,01,01001,4000000081,Lucia,,Reyes,,,F,2,14 Bay Rd,Provo,84604,2023-08-20\n" +
	"lucia-2,02,02003,4000000081,Lucia,,Reyes,,,F,3,14 Bay Rd,Provo,84604,2024-08-19\n"

// twinFamilyTypoRoll holds twins whose SSIDs were issued together, one twin's family
// name misspelt at one LEA (Jonsen for Johnson) or written as it sounds (Snyder for
// Schneider).
const twinFamilyTypoRoll = studentHeader +
	"emma-1,01,01001,4000000014,Emma,,Johnson,,2014-05-06,F,4,88 Orchard Ln,Provo,84601,2023-08-20\n" +
	"olivia-1,02,02003,4000000015,Olivia,,Jonsen,,2014-05-06,F,5,88 Orchard Ln,Provo,84601,2024-08-19\n" +
	"ava-1,05,05001,4000000034,Ava,,Schneider,,2015-02-03,F,3,4 Pine St,Ogden,84401,2023-08-20\n" +
	"mia-1,06,06002,4000000035,Mia,,Snyder,,2015-02-03,F,4,4 Pine St,Ogden,84401,2024-08-19\n"

// twinTypoApartRoll holds twins one of whose family names carries a typo (Miller and
// Mitler), their SSIDs different, one missing, or both; and twins one of whom goes by
// her middle name, the other's given name, with a middle name of her own (Mia Amelia and
// Emma Mia): two children, not one known by her middle name. Grace's records, one
// under her middle name, are one child's.
const twinTypoApartRoll = studentHeader +
	"emma-1,01,01001,5407668741,Emma,,Miller,,2012-08-11,F,5,1367 Maple Dr,Moab,84532,2020-08-20\n" +
	"olivia-1,02,02001,2253047386,Olivia,,Mitler,,2012-08-11,F,5,1367 Maple Dr,Moab,84532,2021-08-20\n" +
	"ava-1,01,01001,5407668750,Ava,,Brown,,2013-03-09,F,4,12 Elm St,Lehi,84043,2020-08-20\n" +
	"mia-1,02,02001,,Mia,,Brwon,,2013-03-09,F,4,12 Elm St,Lehi,84043,2021-08-20\n" +
	"zoe-1,01,01001,,Zoe,,Larsen,,2014-06-01,F,3,4 Oak Ct,Orem,84057,2020-08-20\n" +
	"lily-1,02,02001,,Lily,,Laxsen,,2014-06-01,F,3,4 Oak Ct,Orem,84057,2021-08-20\n" +
	"emmaw-1,01,01001,7299476541,Emma,Mia,Williams,,2014-12-05,F,3,3866 Pine St,Moab,84532,2020-08-20\n" +
	"miaw-1,02,02001,,Mia,Amelia,Williams,,2014-12-05,F,3,3866 Pine St,Moab,84532,2021-08-20\n" +
	"grace-1,03,03001,7299476600,Emma,Grace,Lowe,,2011-01-15,F,6,8 Ash Ln,Provo,84601,2020-08-20\n" +
	"grace-2,04,04001,,Grace,,Lowe,,2011-01-15,F,6,8 Ash Ln,Provo,84601,2021-08-20\n"

// siblingsTwoDigitsRoll holds children whose birth dates are two digits apart: siblings
// a year and a day apart with names a nickname or a letter apart, one sex blank, or one
// given name missing; a younger brother of twins (Jason's twin Mason is
// twinAlikeNoSSIDRoll's kind); cousins whose second family names are alike; namesakes
// ten years apart, in two towns or one. A model that weighs dates two digits apart as
// one child's (trained on fake_1000, whose generator mistypes dates that way) must
// still keep them apart.
const siblingsTwoDigitsRoll = studentHeader +
	"jack-1,02,02004,7351046281,Jack,,Turnbull,,2010-03-14,M,6,418 Maple Ave,Provo,84601,2020-08-20\n" +
	"john-1,02,02004,7351046282,John,,Turnbull,,2011-03-15,M,5,418 Maple Ave,Provo,84601,2020-08-20\n" +
	"jose-1,03,03001,6612094401,Jose,,Ramirez,,2010-07-21,M,6,9 Birch Ln,Ogden,84401,2020-08-20\n" +
	"josue-1,03,03001,6612094402,Josue,,Ramirez,,2011-07-22,M,5,9 Birch Ln,Ogden,84401,2020-08-20\n" +
	"daniel-1,04,04002,,Daniel,,Hendricks,,2010-03-14,M,6,77 Ridge Rd,Ogden,84401,2020-08-20\n" +
	"daniela-1,04,04002,,Daniela,,Hendricks,,2011-03-15,,5,77 Ridge Rd,Ogden,84401,2020-08-20\n" +
	"jason-1,05,05001,8844102232,Jason,,Delgado,,2010-06-12,M,6,240 Spruce St,Ogden,84401,2020-08-20\n" +
	"jayson-1,05,05001,,Jayson,,Delgado,,2011-06-13,M,5,240 Spruce St,Ogden,84401,2020-08-20\n" +
	"oliver-1,06,06001,,Oliver,,Bennettson,,2005-03-14,M,11,12 Canyon Rd,Logan,84321,2020-08-20\n" +
	"oliverb-1,07,07001,5120938841,Oliver,,Bennettson,,2015-03-24,M,1,5 Lake St,Ogden,84401,2020-08-20\n" +
	"liam-1,08,08001,,Liam,,Okafor,,2005-03-12,M,11,5 Pine St,Provo,84601,2020-08-20\n" +
	"liamo-1,08,08002,,Liam,,Okafor,,2015-03-13,M,1,61 Rose St,Provo,84601,2020-08-20\n" +
	"sofia-1,09,09001,,Sofia,,Garcia Martin,,2011-03-12,F,6,14 Elm St,Lehi,84043,2020-08-20\n" +
	"sofiam-1,09,09002,,Sofia,,Garcia Martinez,,2012-03-13,F,5,902 Vine St,Lehi,84043,2020-08-20\n" +
	"mateo-1,10,10001,,Mateo,,Delacroix,,2010-07-15,M,6,77 Aspen Way,Moab,84532,2020-08-20\n" +
	"sibling-1,10,10001,,,,Delacroix,,2011-07-14,M,5,77 Aspen Way,Moab,84532,2020-08-20\n"

// siblingsBirthdayRoll holds siblings born on one calendar day years apart, or in one
// year months apart ("Irish twins"), in one home, SSIDs missing or one only: one part of
// a real birth date differs outright (two_parts), which no other rule took as two
// children, and a model trained on the project's own rolls merged them at +4 to +10.
// Each child's second record, from another school, links to the first.
const siblingsBirthdayRoll = studentHeader +
	"ethan-1,03,03001,,Ethan,,Parker,,2009-05-14,M,08,455 Juniper Way,Orem,84057,2021-08-20\n" +
	"ethan-2,05,05001,,Ethan,,Parker,,2009-05-14,M,09,455 Juniper Way,Orem,84057,2022-08-20\n" +
	"noah-1,03,03002,,Noah,,Parker,,2011-05-14,M,06,455 Juniper Way,Orem,84057,2021-08-20\n" +
	"noah-2,05,05002,,Noah,,Parker,,2011-05-14,M,07,455 Juniper Way,Orem,84057,2022-08-20\n" +
	"grace-1,03,03001,4412345678,Grace,,Castro,,2008-10-03,F,09,77 Quail Run,Logan,84321,2021-08-20\n" +
	"chloe-1,03,03002,,Chloe,,Castro,,2010-10-03,F,07,77 Quail Run,Logan,84321,2021-08-20\n" +
	"owen-1,04,04001,,Owen,,Lindqvist,,2012-01-15,M,06,12 Fir Ct,Ogden,84401,2021-08-20\n" +
	"caleb-1,04,04002,4415550001,Caleb,,Lindqvist,,2012-12-15,M,05,12 Fir Ct,Ogden,84401,2021-08-20\n"

// siblingsBirthdayOneSSIDRoll holds siblings born on one calendar day two years apart,
// or in one year months apart, one enrolled under the other's SSID, in two homes or one
// record without an address: no twins rule holds (not one home), and the siblings rule
// asks for SSIDs not the same; they merged at +12.8 to +15.7.
const siblingsBirthdayOneSSIDRoll = studentHeader +
	"mia-1,01,01001,8200000007,Mia,,Dorsey,,2008-07-21,F,10,9 Hill St,Orem,84057,2021-08-20\n" +
	"chloe-1,02,02001,8200000007,Chloe,,Dorsey,,2010-07-21,F,8,,Orem,84057,2021-08-20\n" +
	"ethan-1,01,01001,8200000009,Ethan,,Marsh,,2009-02-11,M,9,3 Lake Rd,Provo,84602,2021-08-20\n" +
	"lucas-1,02,02001,8200000009,Lucas,,Marsh,,2009-10-11,M,9,88 Fir St,Provo,84602,2021-08-20\n"

// namesakesMiddleOutvotedRoll holds namesakes told apart by their middle names alone
// (John Michael and John David Pemberton, one town, two homes and SSIDs), each with a
// second record without the middle name: the two records without one matched across
// and outvoted the one pair whose middle names differ, and all four became one student.
const namesakesMiddleOutvotedRoll = studentHeader +
	"johnm-1,03,03001,5550002222,John,Michael,Pemberton,,2012-06-30,M,05,17 Birch Ave,Orem,84057,2021-08-20\n" +
	"johnm-2,04,04001,5550002222,John,,Pemberton,,2012-06-30,M,05,17 Birch Ave,Orem,84057,2022-08-20\n" +
	"johnd-1,05,05002,8881117777,John,David,Pemberton,,2012-06-30,M,05,902 Canyon Rd,Orem,84058,2021-08-20\n" +
	"johnd-2,06,06001,8881117777,John,,Pemberton,,2012-06-30,M,05,902 Canyon Rd,Orem,84058,2022-08-20\n"

// namesakesNoSSIDOutvotedRoll holds namesakes born the same day in two towns, their
// SSIDs different (Tahoma Begay of Sandy and of Lehi), the first with two records
// without an SSID: those match the second as well (a name and a birthday), never having
// seen the SSIDs that tell the two apart, and outvoted the one pair that had.
const namesakesNoSSIDOutvotedRoll = studentHeader +
	"tah-1,01,01005,6566937568,Tahoma,,Begay,,2005-08-08,M,11,2845 River Rd,Sandy,84087,2021-08-16\n" +
	"tah-2,02,02005,,Tahoma,,Begay,,08/08/2005,M,10,2845 River Rd,Sandy,84087,2020-08-24\n" +
	"tah-3,07,07002,,TAHOMA,,BEGAY,,20050808,M,9,2845 River Rd,Sandy,84087,2019-08-24\n" +
	"tahb-1,05,05004,8944948395,Tahoma,,Begay,,\"Aug 8, 2005\",M,12,1273 Mountain View Ln,Lehi,84055,2022-08-20\n"

// namesakesTwoDigitsRoll holds namesakes born a year apart, their birth dates two digits
// apart, in one town or two, SSIDs different or one missing: a model trained on a roll
// whose records of one person often carry such dates (fake_1000's) must not merge them.
const namesakesTwoDigitsRoll = studentHeader +
	"sophia-1,01,01001,7100000011,Sophia,,Garcia,,2010-03-14,F,8,12 Elm St,Provo,84601,2020-08-20\n" +
	"sophiag-1,02,02001,7100000022,Sophia,,Garcia,,2011-03-15,F,7,88 Canyon Rd,Provo,84604,2020-08-20\n" +
	"liam-1,03,03001,7100000033,Liam,,Smith,,2011-11-02,M,7,4 Oak St,Orem,84057,2020-08-20\n" +
	"liams-1,04,04001,,Liam,,Smith,,2012-11-03,M,6,70 Center St,Orem,84058,2020-08-20\n" +
	"noah-1,05,05001,,Noah,,Johnson,,2008-09-30,M,10,9 Main St,Logan,84321,2020-08-20\n" +
	"noahj-1,06,06001,,Noah,,Johnson,,2009-09-20,M,9,301 North Rd,Logan,84321,2020-08-20\n" +
	"emma-1,07,07001,,Emma,,Wilson,,2011-04-04,F,7,5 Ash St,Ogden,84401,2020-08-20\n" +
	"emmaw-1,08,08001,,Emma,,Wilson,,2012-04-14,F,6,77 Birch Ave,Ogden,84403,2020-08-20\n" +
	"ava-1,09,09001,7100000044,Ava,,Thompson,,2012-02-10,F,6,5 Oak St,Provo,84601,2020-08-20\n" +
	"avat-1,10,10001,,Ava,,Thompson,,2013-02-11,F,5,,Provo,84601,2020-08-20\n"

// twinBlankGivenRoll holds twins whose SSIDs were issued together and a record with no
// given name whose SSID is a digit off both: either twin's, so neither's without a
// reviewer.
const twinBlankGivenRoll = studentHeader +
	"emma-1,01,01001,4000000014,Emma,,Johnson,,2014-05-06,F,4,88 Orchard Ln,Provo,84601,2023-08-20\n" +
	"emma-2,02,02003,4000000014,Emma,,Johnson,,05/06/2014,F,5,88 Orchard Ln,Provo,84601,2024-08-19\n" +
	"olivia-1,01,01001,4000000015,Olivia,,Johnson,,2014-05-06,F,4,88 Orchard Ln,Provo,84601,2023-08-20\n" +
	"olivia-2,02,02003,4000000015,Olivia,,Johnson,,05/06/2014,F,5,88 Orchard Ln,Provo,84601,2024-08-19\n" +
	"blank-1,03,03001,4000000016,,,Johnson,,2014-05-06,F,5,88 Orchard Ln,Provo,84601,2024-08-25\n"

// twinBlankFamilyRoll holds twins, one twin's family name left blank at one LEA, with
// SSIDs a digit apart and without SSIDs.
const twinBlankFamilyRoll = studentHeader +
	"emma-1,01,01001,4000000014,Emma,,Johnson,,2015-03-04,F,3,12 Oak St,Provo,84601,2023-08-20\n" +
	"olivia-1,02,02001,4000000015,Olivia,,,,2015-03-04,F,3,12 Oak St,Provo,84601,2023-08-20\n" +
	"ava-1,03,03001,,Ava,,Lee,,2016-04-05,F,2,4 Pine St,Ogden,84401,2023-08-20\n" +
	"mia-1,04,04001,,Mia,,,,2016-04-05,F,2,4 Pine St,Ogden,84401,2023-08-20\n"

// twinNicknameSSIDRoll holds twins whose given names are nicknames of one another's
// (Jack and Jacob, Nathan and Nathaniel, Max and Maximilian, Gabriel and Gabe), with
// SSIDs issued together.
const twinNicknameSSIDRoll = studentHeader +
	"jack-1,01,01001,4000000200,Jack,,Moore,,2013-01-02,M,5,1 Ash St,Provo,84601,2023-08-20\n" +
	"jacob-1,02,02001,4000000201,Jacob,,Moore,,2013-01-02,M,5,1 Ash St,Provo,84601,2023-08-20\n" +
	"nathan-1,01,01001,4000000210,Nathan,,Cole,,2012-02-03,M,6,2 Ash St,Provo,84601,2023-08-20\n" +
	"nathaniel-1,02,02001,4000000211,Nathaniel,,Cole,,2012-02-03,M,6,2 Ash St,Provo,84601,2023-08-20\n" +
	"max-1,01,01001,4000000220,Max,,Reed,,2011-03-04,M,7,3 Ash St,Provo,84601,2023-08-20\n" +
	"maximilian-1,02,02001,4000000221,Maximilian,,Reed,,2011-03-04,M,7,3 Ash St,Provo,84601,2023-08-20\n" +
	"gabriel-1,01,01001,4000000230,Gabriel,,Ward,,2010-04-05,M,8,4 Ash St,Provo,84601,2023-08-20\n" +
	"gabe-1,02,02001,4000000231,Gabe,,Ward,,2010-04-05,M,8,4 Ash St,Provo,84601,2023-08-20\n"

// twinOneSSIDRoll holds twins recorded under one SSID (one twin's typed for the other),
// one home, one birth date: at most a reviewer may join them.
const twinOneSSIDRoll = studentHeader +
	"emma-1,01,01001,4000000100,Emma,,Johnson,,2014-05-06,F,4,88 Orchard Ln,Provo,84601,2023-08-20\n" +
	"olivia-1,01,01001,4000000100,Olivia,,Johnson,,2014-05-06,F,4,88 Orchard Ln,Provo,84601,2023-08-20\n"

// twinNicknameSexRoll holds boy and girl twins whose given names are a nickname of each
// other (Sam and Samantha, Chris and Christina, Alex and Alexandra), with SSIDs issued
// together or none.
const twinNicknameSexRoll = studentHeader +
	"sam-1,01,01001,4000000500,Sam,,Taylor,,2012-03-04,M,6,6 Elm St,Logan,84321,2023-08-20\n" +
	"samantha-1,02,02001,4000000501,Samantha,,Taylor,,2012-03-04,F,6,6 Elm St,Logan,84321,2023-08-20\n" +
	"chris-1,03,03001,4000000700,Chris,,Hall,,2013-07-08,M,5,2 Ash St,Orem,84057,2023-08-20\n" +
	"christina-1,04,04001,4000000701,Christina,,Hall,,2013-07-08,F,5,2 Ash St,Orem,84057,2023-08-20\n" +
	"alex-1,05,05001,,Alex,,Nguyen,,2011-01-02,M,7,9 Oak Ave,Lehi,84003,2023-08-20\n" +
	"alexandra-1,06,06001,,Alexandra,,Nguyen,,2011-01-02,F,7,9 Oak Ave,Lehi,84003,2023-08-20\n"

// nearSSIDRoll holds two boys of one given name in one town, their SSIDs a digit apart,
// their family names and birth years different: a near SSID is no evidence alone.
const nearSSIDRoll = studentHeader +
	"samt-1,01,01001,4000000500,Sam,,Taylor,,2010-06-06,M,8,6 Elm St,Logan,84321,2023-08-20\n" +
	"samy-1,02,02001,4000000800,Sam,,Young,,2013-06-06,M,5,31 Canyon Rd,Logan,84321,2023-08-20\n"

// checkStudentRoll links roll (a student CSV) with the student preset and checks its
// children as checkChildren does.
func checkStudentRoll(t *testing.T, roll string) {
	t.Helper()
	l, err := New(StudentSettings())
	if err != nil {
		t.Fatal(err)
	}
	checkChildren(t, runCSV(t, l, roll))
}

// checkChildren asserts that each child's records share a student and no two children
// do.
func checkChildren(t *testing.T, res *Result) {
	t.Helper()
	roll := res.Prepared.Roll
	byChild := map[string]string{}
	children := map[string]string{}
	for i, id := range roll.IDs {
		child, _, _ := strings.Cut(id, "-")
		student := res.StudentIDs[res.Label[i]]
		if s, ok := byChild[child]; ok && s != student {
			t.Errorf("%s's records are split: %s and %s", child, s, student)
		}
		byChild[child] = student
		if other, ok := children[student]; ok && other != child {
			t.Errorf("%s and %s were merged into student %s", other, child, student)
		}
		children[student] = child
	}
}

// twinModels trains the student preset on the embedded synthetic sample, on a
// 200,000-record synthetic roll, and on suite sets with other columns; each linker comes
// back with its model, to score the twins without retraining.
var twinModels = sync.OnceValues(func() (map[string]*Linker, error) {
	out := map[string]*Linker{}
	train := func(name string, roll *Roll) error {
		l, err := New(StudentSettings())
		if err != nil {
			return err
		}
		if _, err := l.Run(bgContext(), roll, RunOptions{}); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		out[name] = l
		return nil
	}
	s := StudentSettings()
	roll, err := s.NewRoll()
	if err != nil {
		return nil, err
	}
	if err := roll.ReadCSVFile(sampleRoll); err != nil {
		return nil, err
	}
	if err := train("sample", roll); err != nil {
		return nil, err
	}
	// The sample without its SSIDs: a model that has only names, dates and places.
	small, err := synth.Generate(synth.DefaultConfig(1000))
	if err != nil {
		return nil, err
	}
	small.DropSSIDs()
	var noSSID bytes.Buffer
	if err := small.WriteCSV(&noSSID); err != nil {
		return nil, err
	}
	bare, _ := s.NewRoll()
	if err := bare.ReadCSV("synth-no-ssids.csv", &noSSID); err != nil {
		return nil, err
	}
	if err := train("synth 1000 students, no SSIDs", bare); err != nil {
		return nil, err
	}
	cfg := synth.DefaultConfig(0)
	cfg.Records = 200_000
	gen, err := synth.Generate(cfg)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := gen.WriteCSV(&buf); err != nil {
		return nil, err
	}
	big, _ := s.NewRoll()
	if err := big.ReadCSV("synth-200k.csv", &buf); err != nil {
		return nil, err
	}
	if err := train("synth 200k", big); err != nil {
		return nil, err
	}
	return out, nil
})

// TestTwinSetsStayApart: twins and triplets with consecutive SSIDs, twins without SSIDs
// and Ella and Emma stay apart under every model, while each child's records, Liz's
// among Elizabeth's, link.
func TestTwinSetsStayApart(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on a 200,000-record roll")
	}
	models, err := twinModels()
	if err != nil {
		t.Fatal(err)
	}
	// Models trained on sets with other columns: RLdata (names and birth dates only)
	// and FEBRL (names, address, birth date, an ID) through the person preset's columns.
	rl, _ := linkRoll(t, StudentSettings(), rldataRoll(t, "../testdata/rldata/RLdata10000.csv"))
	models["RLdata10000"] = rl
	for _, set := range []string{"febrl3", "fake_1000", "census"} {
		l, _ := linkRoll(t, StudentSettings(), suiteRoll(t, set))
		models[set] = l
	}
	for name, trained := range models {
		t.Run(name, func(t *testing.T) {
			l, err := reload(trained)
			if err != nil {
				t.Fatal(err)
			}
			res := runCSV(t, l, twinRoll)
			checkChildren(t, res)
			checkChildren(t, runCSV(t, l, twinInitialRoll))
			checkChildren(t, runCSV(t, l, twinNoDateRoll))
			compares := func(name string) bool {
				return slices.ContainsFunc(l.Settings().Comparisons, func(c score.Comparison) bool { return c.Name == name })
			}
			if compares("location") && compares("birth_date") {
				// One home and one birth date are what tell these twins: a model that
				// compares neither (RLdata's, census's) has only the names.
				checkChildren(t, runCSV(t, l, twinAlikeNoSSIDRoll))
				checkChildren(t, runCSV(t, l, twinAlikeNoDateRoll))
				checkChildren(t, runCSV(t, l, namesakesOtherFamilyRoll))
				checkChildren(t, runCSV(t, l, twinBlankFamilyRoll))
				checkChildren(t, runCSV(t, l, twinTypoApartRoll))
			}
			if compares("birth_date") {
				checkChildren(t, runCSV(t, l, siblingsTwoDigitsRoll))
				checkChildren(t, runCSV(t, l, siblingsBirthdayRoll))
				checkChildren(t, runCSV(t, l, namesakesTwoDigitsRoll))
			}
			if compares("sex") {
				checkChildren(t, runCSV(t, l, twinNicknameSexRoll))
				checkChildren(t, runCSV(t, l, twinSexRoll))
				checkChildren(t, runCSV(t, l, twinSwapRoll))
				checkChildren(t, runCSV(t, l, twinGenderRoll))
			}
			if compares("ssid") {
				checkChildren(t, runCSV(t, l, twinSSIDRoll))
				checkChildren(t, runCSV(t, l, twinNoAddressRoll))
				checkChildren(t, runCSV(t, l, twinRhymeRoll))
				checkChildren(t, runCSV(t, l, typoRoll))
				checkChildren(t, runCSV(t, l, twinFamilyTypoRoll))
				checkChildren(t, runCSV(t, l, twinBlankGivenRoll))
				checkChildren(t, runCSV(t, l, twinNicknameSSIDRoll))
				if compares("location") {
					checkChildren(t, runCSV(t, l, twinAlikeNoDateSSIDRoll))
					checkChildren(t, runCSV(t, l, twinOneSSIDNoDateRoll))
					// Only SSIDs and homes tell the two records without middle names
					// apart: a model that compares neither has nothing to go on.
					checkChildren(t, runCSV(t, l, namesakesMiddleOutvotedRoll))
					checkChildren(t, runCSV(t, l, namesakesNoSSIDOutvotedRoll))
					checkChildren(t, runCSV(t, l, siblingsBirthdayOneSSIDRoll))
					if name == "sample" || name == "synth 200k" {
						// Models of rolls whose SSIDs say one child across a move.
						checkChildren(t, runCSV(t, l, movedOneChildRoll))
					}
				}
				// A near SSID is no evidence where the family names differ, whatever
				// else a model makes of two boys named Sam in one town.
				near := runCSV(t, l, nearSSIDRoll)
				ssid := slices.IndexFunc(l.Settings().Comparisons, func(c score.Comparison) bool { return c.Name == "ssid" })
				if raw, key := near.scorer.RawKey(0, 1), near.scorer.Key(0, 1); score.LevelOf(raw, ssid) != 2 || score.LevelOf(key, ssid) != score.LevelNull {
					t.Errorf("SSIDs a digit apart, family names different: raw level %d, weighed level %d; want one_edit (2), weighed as null", score.LevelOf(raw, ssid), score.LevelOf(key, ssid))
				}
				// A roll whose pairs that share an SSID often carry different given
				// names (FEBRL's) sets the rule for twins under one SSID aside for its
				// own run; the twins' roll, too small to test it, keeps it.
				checkChildren(t, runCSV(t, l, twinOneSSIDRoll))
				if tr := trained.TrainingReport(); (name == "sample" || name == "synth 200k") && slices.ContainsFunc(tr.RuleTests, func(r RuleTest) bool {
					return r.Rule == oneSSIDTwins && r.SetAside
				}) {
					t.Error("the rule for twins under one SSID was set aside on a synthetic roll")
				}
			}
			if t.Failed() {
				for _, r := range res.Review {
					t.Logf("review %s %s %.2f %s", r.A, r.B, r.Weight, r.Reason)
				}
			}
		})
	}
	t.Run("trained on the twins", func(t *testing.T) {
		l, err := New(StudentSettings())
		if err != nil {
			t.Fatal(err)
		}
		checkChildren(t, runCSV(t, l, twinRoll))
	})
	t.Run("trained on the swapped twins", func(t *testing.T) {
		l, err := New(StudentSettings())
		if err != nil {
			t.Fatal(err)
		}
		checkChildren(t, runCSV(t, l, twinSwapRoll))
	})
}

// TestSmallRollsKeepChildrenApart trains on synthetic rolls of 8 to 40 students (about
// a dozen to sixty records),
// with and without SSIDs, each on itself: too few pairs of one student for EM to learn m
// from (it would give a level seen on three of them +19 bits and join a boy and a girl
// of one family name on a shared birthday). No roll may put two children in one student.
func TestSmallRollsKeepChildrenApart(t *testing.T) {
	for _, n := range []int{8, 12, 20, 30, 40} {
		for seed := uint64(1); seed <= 8; seed++ {
			for _, noSSID := range []bool{false, true} {
				cfg := synth.DefaultConfig(n)
				cfg.Seed = seed
				gen, err := synth.Generate(cfg)
				if err != nil {
					t.Fatal(err)
				}
				if noSSID {
					gen.DropSSIDs()
				}
				res := runSynth(t, gen)
				ev, err := Evaluate(res.Label, gen.Truth(), nil)
				if err != nil {
					t.Fatal(err)
				}
				if ev.TruePositives != ev.PredictedPairs {
					t.Errorf("%d students, seed %d, no SSIDs %v: %d pairs of two children in one student (%s)",
						n, seed, noSSID, ev.PredictedPairs-ev.TruePositives, ev)
				}
			}
		}
	}
}

func bgContext() context.Context { return context.Background() }

// reload saves a trained linker and loads it back, as a state would reuse a model.
func reload(l *Linker) (*Linker, error) {
	var buf bytes.Buffer
	if err := l.Save(&buf); err != nil {
		return nil, err
	}
	return Load(&buf)
}

// suiteRoll reads a set of the accuracy suite, converted to the student CSV, as one roll.
func suiteRoll(t *testing.T, name string) *Roll {
	t.Helper()
	set, err := datasets.Load(os.DirFS("../testdata"), name)
	if err != nil {
		t.Fatal(err)
	}
	files, _, err := set.WriteCSV(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return readRoll(t, StudentSettings(), files...)
}

// namesakeRoll holds namesakes born the same day, one recorded without an SSID at an LEA
// in another town, told apart only by their middle names; and one child whose middle
// name is written out at one LEA and as an initial at another.
const namesakeRoll = studentHeader +
	"liame-1,01,01001,4000000090,Liam,Elijah,Martin,,2007-02-15,M,11,12 Oak St,Provo,84601,2023-08-20\n" +
	"liame-2,02,02001,4000000090,Liam,E,Martin,,02/15/2007,M,12,12 Oak St,Provo,84601,2024-08-19\n" +
	"liams-1,05,05001,,Liam,Samuel,Martin,,2/15/2007,M,11,7 Elm Ave,Ogden,84401,2023-08-20\n" +
	"liams-2,06,06002,4000000091,Liam,Samuel,Martin,,2007-02-15,M,12,7 Elm Ave,Ogden,84401,2024-08-19\n"

// TestMiddleNamesTellNamesakesApart: the namesakes stay apart under the model trained on
// the sample roll and under one trained on the roll itself; each child's records link.
func TestMiddleNamesTellNamesakesApart(t *testing.T) {
	for _, name := range []string{"sample", "self"} {
		t.Run(name, func(t *testing.T) {
			l, err := New(StudentSettings())
			if err != nil {
				t.Fatal(err)
			}
			if name == "sample" {
				roll, _ := l.Settings().NewRoll()
				if err := roll.ReadCSVFile(sampleRoll); err != nil {
					t.Fatal(err)
				}
				if _, err := l.Run(context.Background(), roll, RunOptions{}); err != nil {
					t.Fatal(err)
				}
				if l, err = reload(l); err != nil {
					t.Fatal(err)
				}
			}
			checkChildren(t, runCSV(t, l, namesakeRoll))
		})
	}
}

func TestDifferentMiddleNames(t *testing.T) {
	tests := []struct {
		given1, middle1, given2, middle2 string
		want                             bool
	}{
		{"Liam", "Elijah", "Liam", "Samuel", true},
		{"Liam", "Elijah", "Liam", "E", false},      // an initial of it
		{"Liam", "Elijah", "Liam", "S", true},       // an initial of no name of his
		{"Liam", "E", "Liam", "S", false},           // two initials: a typo in either
		{"Ana", "L", "Lucía", "Ana", false},         // the initial of her other given name
		{"Liam", "Elijah", "Liam", "", false},       // missing
		{"Liam", "Elijah", "Liam", "Elijha", false}, // a typo
		{"Ana", "Elizabeth", "Ana", "Beth", false},  // a nickname
		{"Maja", "Ida", "Ida", "Maja", false},       // the middle name used as given
		{"Ana", "María José", "Ana", "Lucía", true}, // compound against single
		{"Ana", "Maria Jose", "Ana", "María José", false},
	}
	for _, tt := range tests {
		p := normalize.NewPreparer(normalize.Options{})
		t1 := normalize.NewTable(2, 0)
		p.Fill(t1, 0, normalize.Record{Given: tt.given1, Middle: tt.middle1, Family: "X"})
		p.Fill(t1, 1, normalize.Record{Given: tt.given2, Middle: tt.middle2, Family: "X"})
		if got := differentMiddleNames(t1, 0, t1, 1); got != tt.want {
			t.Errorf("%s %s / %s %s: %v, want %v", tt.given1, tt.middle1, tt.given2, tt.middle2, got, tt.want)
		}
	}
}

// smallSSIDRoll is fifty children, each with two records under one SSID from two LEAs,
// their names, birthdays and addresses drawn at random: a small district's roll, enough
// pairs sharing an SSID (fifty) to test a belief rule on.
func smallSSIDRoll() string {
	first := []string{"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Susan", "Richard", "Jessica", "Joseph", "Sarah", "Thomas", "Karen", "Daniel", "Nancy", "Matthew", "Betty"}
	last := []string{"Smith", "Jones", "Brown", "Davis", "Wilson", "Moore", "Taylor", "Anderson", "Thomas", "Jackson", "White", "Harris", "Martin", "Thompson", "Garcia", "Martinez", "Robinson", "Clark", "Rodriguez", "Lewis"}
	streets := []string{"Oak St", "Elm Ave", "Pine Rd", "Maple Dr", "Cedar Ct", "Birch Ln", "Spruce St", "Ash St"}
	r := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	b.WriteString(studentHeader)
	for i := range 50 {
		k := r.IntN(len(first))
		sex := map[bool]string{true: "F", false: "M"}[k%2 == 1]
		dob := fmt.Sprintf("%d-%02d-%02d", 2008+r.IntN(9), 1+r.IntN(12), 1+r.IntN(28))
		ssid := 5000000000 + int64(i)*37
		f, l := first[k], last[r.IntN(len(last))]
		fmt.Fprintf(&b, "p%d-a,01,01001,%d,%s,,%s,,%s,%s,5,%d %s,Provo,84601,2022-08-20\n", i, ssid, f, l, dob, sex, 1+r.IntN(9999), streets[r.IntN(len(streets))])
		fmt.Fprintf(&b, "p%d-b,02,02001,%d,%s,,%s,,%s,%s,5,%d %s,Ogden,84401,2023-08-20\n", i, ssid, f, l, dob, sex, 1+r.IntN(9999), streets[r.IntN(len(streets))])
	}
	return b.String()
}

// TestSmallRollKeepsBeliefRules: in a small district's roll, triplets under one SSID and
// two pairs of brothers born years apart under one SSID are a few percent of the pairs
// sharing an SSID. They must not set aside the rules that keep them apart, whether the
// model is trained on the roll or loaded (one trained where the rules held).
func TestSmallRollKeepsBeliefRules(t *testing.T) {
	roll := smallSSIDRoll() +
		"emma-1,03,03001,4000000014,Emma,,Johnson,,2014-03-02,F,4,12 Oak St,Provo,84601,2022-08-20\n" +
		"olivia-1,03,03001,4000000014,Olivia,,Johnson,,2014-03-02,F,4,12 Oak St,Provo,84601,2022-08-20\n" +
		"ava-1,03,03001,4000000014,Ava,,Johnson,,2014-03-02,F,4,12 Oak St,Provo,84601,2022-08-20\n" +
		"ethan-1,03,03001,4000000020,Ethan,,Park,,2013-05-09,M,5,40 Pine Rd,Provo,84601,2022-08-20\n" +
		"evan-1,03,03001,4000000020,Evan,,Park,,2013-05-09,M,5,40 Pine Rd,Provo,84601,2022-08-20\n" +
		"logan-1,04,04001,4000000070,Logan,,Turner,,2009-06-01,M,9,15 Fir St,Provo,84601,2022-08-20\n" +
		"caleb-1,04,04001,4000000070,Caleb,,Turner,,2012-11-23,M,6,15 Fir St,Provo,84601,2022-08-20\n" +
		"jacob-1,04,04001,4000000060,Jacob,,Harris,,2010-04-12,M,8,77 Ash St,Provo,84601,2022-08-20\n" +
		"noah-1,04,04001,4000000060,Noah,,Harris,,2013-09-30,M,5,77 Ash St,Provo,84601,2022-08-20\n"
	l, err := New(StudentSettings())
	if err != nil {
		t.Fatal(err)
	}
	res := runCSV(t, l, roll)
	checkChildren(t, res)
	if !slices.ContainsFunc(res.RuleTests, func(r RuleTest) bool { return r.Rule == oneSSIDTwins && r.Met > 0 }) {
		t.Errorf("the one-SSID twins rule was not tested on the roll: %+v", res.RuleTests)
	}
	for _, d := range res.Dropped {
		if strings.Contains(d.Reason, "set aside") {
			t.Errorf("trained on the roll: %s", d)
		}
	}
	if testing.Short() {
		return
	}
	models, err := twinModels()
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := reload(models["synth 200k"])
	if err != nil {
		t.Fatal(err)
	}
	res = runCSV(t, loaded, roll)
	checkChildren(t, res)
	for _, d := range res.Dropped {
		if strings.Contains(d.Reason, "set aside") {
			t.Errorf("the 200,000-record model: %s", d)
		}
	}
}

// TestTinyRollPrior links eight records in which EM's fit is accepted and puts the prior
// at 0.89: it is held at 1/1000, and a girl going by her middle name's nickname (Gaby
// for María Gabriela, or for the later word of "Ana Gabriela") still links.
func TestTinyRollPrior(t *testing.T) {
	l, err := New(StudentSettings())
	if err != nil {
		t.Fatal(err)
	}
	res := runCSV(t, l, studentHeader+
		"park-1,01,01001,,Sofia,,Park,,2014-06-02,F,4,300 Main St,Provo,84601,2022-08-20\n"+
		"nguyen-1,02,02001,,Sofia,,Nguyen,,2014-06-02,F,4,17 Center St,Provo,84601,2023-08-20\n"+
		"lopez-1,01,01001,,Ana Gabriela,,López,,2014-03-02,F,4,12 Oak St,Provo,84601,2022-08-20\n"+
		"lopez-2,02,02001,,Gaby,,Lopez,,2014-03-02,F,4,12 Oak St,Ogden,84401,2023-08-20\n"+
		"torres-1,01,01001,4000000050,María,Gabriela,Torres,,2013-05-09,F,5,40 Pine Rd,Provo,84601,2022-08-20\n"+
		"torres-2,02,02001,,Gaby,,Torres,,2013-05-09,F,5,40 Pine Rd,Provo,84601,2023-08-20\n"+
		"ruiz-1,01,01001,,Gaby,M,Ruiz,,2012-01-15,F,6,5 Maple Dr,Provo,84601,2022-08-20\n"+
		"ruiz-2,02,02001,,Maria,Gabriela,Ruiz,,2012-01-15,F,6,5 Maple Dr,Provo,84601,2023-08-20\n")
	if got := res.Model.Prior; got > 1.0/minPriorRoll {
		t.Errorf("prior %g, want at most 1/%d", got, minPriorRoll)
	}
	byChild := map[string][]int32{}
	for i, id := range res.Prepared.Roll.IDs {
		child, _, _ := strings.Cut(id, "-")
		byChild[child] = append(byChild[child], res.Label[i])
	}
	for _, child := range []string{"lopez", "torres", "ruiz"} {
		if c := byChild[child]; len(c) != 2 || c[0] != c[1] {
			t.Errorf("%s's two records (one under her middle name's nickname) are not one student", child)
		}
	}
}

// TestMiddleNameNicknames links one child's records where she goes by her middle name's
// nickname, written into a compound given name or swapped with a nickname of the given
// name, and keeps Emma Mia and Mia Amelia, twins, apart.
func TestMiddleNameNicknames(t *testing.T) {
	l, err := New(StudentSettings())
	if err != nil {
		t.Fatal(err)
	}
	res := runCSV(t, l, studentHeader+
		"torres-1,01,01001,,María Gabriela,,Torres,,2013-05-09,F,5,40 Pine Rd,Provo,84601,2022-08-20\n"+
		"torres-2,02,02001,,Gaby,,Torres,,2013-05-09,F,5,40 Pine Rd,Provo,84601,2023-08-20\n"+
		"ramirez-1,01,01001,,Juan Carlos,,Ramírez,,2012-02-11,M,6,9 Oak St,Provo,84601,2022-08-20\n"+
		"ramirez-2,02,02001,,Charlie,,Ramirez,,2012-02-11,M,6,9 Oak St,Provo,84601,2023-08-20\n"+
		"carter-1,01,01001,,Elizabeth,Anne,Carter,,2013-05-19,F,5,41 Pine Rd,Provo,84601,2022-08-20\n"+
		"carter-2,02,02001,,Annie,Liz,Carter,,2013-05-19,F,5,7 Birch Ln,Ogden,84401,2023-08-20\n"+
		"emmaw-1,01,01001,,Emma,Mia,Williams,,2014-12-05,F,3,3866 Pine St,Moab,84532,2020-08-20\n"+
		"miaw-1,02,02001,,Mia,Amelia,Williams,,2014-12-05,F,3,3866 Pine St,Moab,84532,2021-08-20\n")
	checkChildren(t, res)
	byChild := map[string][]int32{}
	for i, id := range res.Prepared.Roll.IDs {
		child, _, _ := strings.Cut(id, "-")
		byChild[child] = append(byChild[child], res.Label[i])
	}
	for _, child := range []string{"torres", "ramirez", "carter"} {
		if c := byChild[child]; c[0] != c[1] {
			t.Errorf("%s's two records are not one student", child)
		}
	}
}

// TestNameVariantsAndTwins: one child's given name in two romanizations (Ahmed and
// Ahmad, Mohammed and Muhammad, Aisha and Aysha: the nickname list's variants) in one home,
// no SSIDs, is one child, and a second family name written as the middle name does not
// make two; twins whose names differ in a vowel or a letter (Lily and Lola, Dana and Dina,
// Mason and Jason, one family name mistyped), Anna and Hannah with their own SSIDs,
// namesakes whose middle names share only a word (María José, María Fernanda), two
// strangers under one dummy SSID, sisters born months apart under one SSID (one family
// name misspelt or not), and a twin whose record lacks the family name stay apart.
func TestNameVariantsAndTwins(t *testing.T) {
	l, err := New(StudentSettings())
	if err != nil {
		t.Fatal(err)
	}
	res := runCSV(t, l, studentHeader+
		"ahmed-1,01,01001,,Ahmed,,Abdullah,,2012-01-21,M,5,995 Cedar Ln,Provo,84601,2022-08-20\n"+
		"ahmed-2,02,02001,,Ahmad,,Abdullah,,2012-01-21,M,5,995 Cedar Ln,Provo,84601,2023-08-20\n"+
		"mohammed-1,01,01001,,Mohammed,,Haddad,,2010-03-02,M,7,12 Oak Ave,Provo,84601,2022-08-20\n"+
		"mohammed-2,02,02001,,Muhammad,,Haddad,,2010-03-02,M,7,12 Oak Ave,Provo,84601,2023-08-20\n"+
		"aisha-1,01,01001,,Aisha,,Khan,,2011-09-14,F,6,4 Elm St,Orem,84057,2022-08-20\n"+
		"aisha-2,02,02001,,Aysha,,Khan,,2011-09-14,F,6,4 Elm St,Orem,84057,2023-08-20\n"+
		"mateo-1,01,01001,,Mateo,Rivera,Garcia,,2011-06-12,M,6,8 Ash Ln,Lehi,84043,2022-08-20\n"+
		"mateo-2,02,02001,,Mateo,Leah,García Rivera,,2011-06-12,M,6,8 Ash Ln,Lehi,84043,2023-08-20\n"+
		"mason-1,03,03001,,Mason,,Miller,,2013-02-06,M,5,5 Ash Ave,Lehi,84003,2022-08-20\n"+
		"jason-1,03,03001,,Jason,,Mitler,,2013-02-06,M,5,5 Ash Ave,Lehi,84003,2022-08-20\n"+
		"ella-1,04,04001,,Ella,,Wilson,,2016-07-08,F,2,3 Mill Rd,Orem,84057,2022-08-20\n"+
		"emma-1,04,04001,,Emma,,Wilson,,2016-07-08,F,2,3 Mill Rd,Orem,84057,2022-08-20\n"+
		"lily-1,05,05001,,Lily,,Yarbro,,2012-09-09,F,5,108 Juniper Way,Provo,84604,2022-08-20\n"+
		"lola-1,05,05001,,Lola,,Yarbro,,2012-09-09,F,5,108 Juniper Way,Provo,84604,2022-08-20\n"+
		"dana-1,05,05001,,Dana,,Price,,2013-10-10,F,4,7 Fir St,Provo,84604,2022-08-20\n"+
		"dina-1,05,05001,,Dina,,Price,,2013-10-10,F,4,7 Fir St,Provo,84604,2022-08-20\n"+
		"anna-1,06,06001,4000000800,Anna,,Reyes,,2014-04-04,F,3,2 Oak St,Ogden,84401,2022-08-20\n"+
		"hannah-1,06,06001,5123456789,Hannah,,Reyes,,2014-04-04,F,3,2 Oak St,Ogden,84401,2022-08-20\n"+
		"mariaj-1,07,07001,,Ana,María José,Castillo,,2012-04-14,F,5,5 Ash Ave,Lehi,84003,2022-08-20\n"+
		"mariaf-1,08,08001,,Ana,María Fernanda,Castillo,,2012-04-14,F,5,90 Pine St,Ogden,84401,2022-08-20\n"+
		"jade-1,09,09001,2000000001,Jade,,Jett,,2007-10-01,F,10,10 Dummy St,Vernal,84078,2022-08-20\n"+
		"rhea-1,09,09001,2000000001,Rhea,,Reeve,,2007-06-25,F,10,18 Dummy St,Vernal,84078,2022-08-20\n"+
		"grace-1,07,07001,3200000007,Grace,,Hansen,,2010-01-01,F,07,1 C St,Lehi,84043,2022-08-20\n"+
		"chloe-1,07,07001,3200000007,Chloe,,Hanson,,2010-09-09,F,07,2 D St,Lehi,84043,2022-08-20\n"+
		"ruby-1,05,05001,3400000007,Ruby,,Stone,,2011-01-03,F,06,1 G St,Moab,84540,2022-08-20\n"+
		"ivy-1,05,05001,3400000007,Ivy,,Stone,,2011-11-23,F,06,1 G St,Moab,84540,2022-08-20\n"+
		"masonm-1,01,01001,,Mason,,Okafor,,2014-03-07,M,04,61 Cedar Rd,Orem,84057,2022-08-20\n"+
		"jasonm-1,01,01001,,Jason,,,,2014-03-07,M,04,61 Cedar Rd,Orem,84057,2022-08-20\n")
	checkChildren(t, res)
	byChild := map[string][]int32{}
	for i, id := range res.Prepared.Roll.IDs {
		child, _, _ := strings.Cut(id, "-")
		byChild[child] = append(byChild[child], res.Label[i])
	}
	for _, child := range []string{"ahmed", "mohammed", "aisha", "mateo"} {
		if c := byChild[child]; c[0] != c[1] {
			t.Errorf("%s's two records are not one student", child)
		}
	}
}

// TestFewNamesakesTeachNothing: a small roll whose only pairs with birth dates two digits
// apart are namesakes' (five pairs among 300 records, which teach EM to weigh such dates
// +4.9 for a match) keeps the namesakes apart: such dates are different birth dates.
func TestFewNamesakesTeachNothing(t *testing.T) {
	data, err := os.ReadFile("../testdata/synth/roll.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	roll := strings.Join(lines[:301], "") + strings.TrimPrefix(namesakesTwoDigitsRoll, studentHeader)
	l, err := New(StudentSettings())
	if err != nil {
		t.Fatal(err)
	}
	res := runCSV(t, l, roll)
	student := map[string]string{}
	for i, id := range res.Prepared.Roll.IDs {
		if strings.Contains(id, "-") {
			student[id] = res.StudentIDs[res.Label[i]]
		}
	}
	for _, pair := range [][2]string{{"sophia-1", "sophiag-1"}, {"liam-1", "liams-1"}, {"noah-1", "noahj-1"}, {"emma-1", "emmaw-1"}, {"ava-1", "avat-1"}} {
		if student[pair[0]] == student[pair[1]] {
			t.Errorf("%s and %s, namesakes a year apart, merged", pair[0], pair[1])
		}
	}
}

// TestSiblingsUnderOneSSIDKeepBirthDates: a roll in which brothers and sisters share one
// SSID (52 pairs, a quarter of the pairs that share one), born years apart, still has
// birth dates recorded with care for one child. The siblings' given names differ, are
// alike (Mason and Jason) or one is an initial, so they do not set aside the "different
// birth dates" rule (CannotLink.NotTestedOn), and namesakes a year apart without SSIDs
// stay apart, as do the siblings ("one SSID, two children"). A boy under one SSID whose
// name is spelt two ways alike in sound (Jaxon, Jackson) is still one child.
func TestSiblingsUnderOneSSIDKeepBirthDates(t *testing.T) {
	data, err := os.ReadFile("../testdata/synth/roll.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	siblings := [][2]string{
		{"Adam", "Beth"}, {"Carl", "Dora"}, {"Evan", "Faye"}, {"Glen", "Hope"}, {"Ian", "Joy"},
		{"Kurt", "Lena"}, {"Theo", "Mila"}, {"Finn", "Iris"}, {"Mason", "Chloe"}, {"Lucas", "Harper"},
		{"Owen", "Nora"}, {"Wyatt", "Ruby"}, {"Jack", "Hazel"}, {"Levi", "Ivy"}, {"Eli", "Cora"},
		{"Jude", "Lila"}, {"Abel", "Maren"}, {"Silas", "Tess"}, {"Gavin", "Wren"}, {"Hugo", "Opal"},
		{"Reid", "Skye"}, {"Troy", "Vera"}, {"Zane", "Elsie"}, {"Dean", "Gwen"}, {"Roy", "Alma"},
		{"Neil", "June"},
		// Alike, not one name's spellings.
		{"Mason", "Jason"}, {"Aiden", "Jaden"}, {"Hailey", "Bailey"}, {"Kaden", "Jaden"},
		{"Brady", "Grady"}, {"Dustin", "Justin"}, {"Addison", "Madison"}, {"Kaylee", "Haylee"},
		{"Aubrey", "Audrey"}, {"Jamie", "Janie"}, {"Molly", "Holly"}, {"Anna", "Hannah"},
		{"Elijah", "Eliza"}, {"Maddox", "Madden"}, {"Kinley", "Kenley"}, {"Brooke", "Brooklyn"},
		{"Kason", "Kasen"},
		// Alike in spelling and in their Double Metaphone codes, and two names still.
		{"Joshua", "Josiah"}, {"Bruce", "Bryce"}, {"Karen", "Karina"}, {"Michelle", "Michaela"},
		{"Justin", "Austin"}, {"Lila", "Lola"},
		// One only an initial.
		{"Wesley", "W"}, {"Parker", "P"}, {"Quinn", "Q"},
		// One without a given name at all: it says even less than an initial.
		{"Calvin", ""}, {"Marcus", ""},
	}
	families := []string{"Kowalczyk", "Brennan", "Okafor", "Lindqvist", "Marsh", "Tanaka"}
	var sib strings.Builder
	for i, names := range siblings {
		family := fmt.Sprintf("%s%c%c", families[i%len(families)], 'a'+i%26, 'a'+i/26)
		fmt.Fprintf(&sib, "sib%da-1,11,11001,59000000%02d,%s,,%s,,20%02d-0%d-1%d,M,5,%d Maple Dr,Provo,84601,2020-08-20\n",
			i, i, names[0], family, 5+i/8, 1+i%9, i%10, 100+i)
		fmt.Fprintf(&sib, "sib%db-1,11,11001,59000000%02d,%s,,%s,,20%02d-1%d-2%d,M,3,%d Maple Dr,Provo,84601,2020-08-20\n",
			i, i, names[1], family, 9+i/8, i%3, i%10, 100+i)
	}
	// One boy under one SSID, his name spelt two ways alike in sound and a birth date
	// typed wrong twice: one child.
	sib.WriteString("jaxon-1,12,12001,5910000001,Jaxon,,Whitlock,,2010-03-14,M,5,8 Quarry Rd,Logan,84321,2020-08-20\n" +
		"jaxon-2,13,13001,5910000001,Jackson,,Whitlock,,2011-04-14,M,5,8 Quarry Rd,Logan,84321,2021-08-20\n")
	roll := strings.Join(lines[:1201], "") + sib.String() + strings.TrimPrefix(namesakesTwoDigitsRoll, studentHeader)
	l, err := New(StudentSettings())
	if err != nil {
		t.Fatal(err)
	}
	res := runCSV(t, l, roll)
	k := slices.IndexFunc(res.RuleTests, func(r RuleTest) bool { return r.Rule == differentBirthDates })
	if k < 0 {
		t.Fatalf("the different-birth-dates rule was not tested: %+v", res.RuleTests)
	}
	if r := res.RuleTests[k]; r.SetAside || r.Judged < minAnchorPairs {
		t.Errorf("different birth dates: %+v; want tested on at least %d pairs and kept", r, minAnchorPairs)
	}
	student := map[string]string{}
	for i, id := range res.Prepared.Roll.IDs {
		if strings.Contains(id, "-") {
			student[id] = res.StudentIDs[res.Label[i]]
		}
	}
	pairs := [][2]string{{"sophia-1", "sophiag-1"}, {"liam-1", "liams-1"}, {"noah-1", "noahj-1"}, {"emma-1", "emmaw-1"}, {"ava-1", "avat-1"}}
	for i := range siblings {
		pairs = append(pairs, [2]string{fmt.Sprintf("sib%da-1", i), fmt.Sprintf("sib%db-1", i)})
	}
	for _, pair := range pairs {
		if student[pair[0]] == "" || student[pair[1]] == "" {
			t.Fatalf("%s or %s missing from the result", pair[0], pair[1])
		}
		if student[pair[0]] == student[pair[1]] {
			t.Errorf("%s and %s, two children, merged", pair[0], pair[1])
		}
	}
	if student["jaxon-1"] != student["jaxon-2"] {
		t.Errorf("Jaxon and Jackson, one boy under one SSID, split")
	}
}

// TestAlikeNamesNoBirthDateRule: the rules that send alike given names without a birth
// date to a reviewer are for rolls that have birth dates (one record's left blank); a
// roll without any (census lists, names and addresses only) drops them and says so.
func TestAlikeNamesNoBirthDateRule(t *testing.T) {
	const noDates = "record_id,first_name,last_name,address,city,zip\n" +
		"a-1,Mason,Okafor,5 Ash Ave,Lehi,84003\n" +
		"a-2,Masen,Okafor,5 Ash Ave,Lehi,84003\n" +
		"b-1,Ava,Lindqvist,8 Birch St,Orem,84057\n" +
		"b-2,Ava,Lindqvist,8 Birch St,Orem,84057\n"
	l, err := New(StudentSettings())
	if err != nil {
		t.Fatal(err)
	}
	res := runCSV(t, l, noDates)
	var dropped []string
	for _, d := range res.Dropped {
		if d.Kind == "cannot-link rule" && slices.Contains(d.Roles, normalize.RoleBirthDate) {
			dropped = append(dropped, d.Name)
		}
	}
	for _, name := range []string{
		"twins: same family name and birth date, given names alike, SSIDs issued together",
		"twins: same family name, birth date and home, given names alike, an SSID missing",
		"twins: same family name and birth date, given names alike, an SSID and an address missing",
	} {
		if !slices.Contains(dropped, name) {
			t.Errorf("rule %q not dropped for want of birth dates; dropped: %q", name, dropped)
		}
		if slices.ContainsFunc(res.Settings.CannotLink, func(c CannotLink) bool { return c.Name == name }) {
			t.Errorf("rule %q is in the run's settings of a roll without birth dates", name)
		}
	}
	for _, r := range res.Review {
		if strings.HasPrefix(r.A, "a-") {
			t.Errorf("Mason and Masen, in a roll with no birth dates at all, sent to review: %v", r)
		}
	}
}

// TestLoadedModelSetsAsideRulesWith: a model trained on a roll with birth dates keeps the
// rules for one record's birth date missing; scoring a roll without any birth date with
// it sets them aside for that run, and says so, rather than send every pair of alike
// names to a reviewer.
func TestLoadedModelSetsAsideRulesWith(t *testing.T) {
	trained, err := New(StudentSettings())
	if err != nil {
		t.Fatal(err)
	}
	runCSV(t, trained, twinAlikeNoDateRoll)
	l, err := reload(trained)
	if err != nil {
		t.Fatal(err)
	}
	const noDates = "record_id,first_name,last_name,address,city,zip\n" +
		"a-1,Mason,Okafor,5 Ash Ave,Lehi,84003\n" +
		"a-2,Masen,Okafor,5 Ash Ave,Lehi,84003\n"
	res := runCSV(t, l, noDates)
	var aside []string
	for _, d := range res.Dropped {
		if d.Kind == "cannot-link rule" && slices.Contains(d.Roles, normalize.RoleBirthDate) {
			aside = append(aside, d.Name)
		}
	}
	for _, r := range l.Settings().CannotLink {
		if slices.Contains(r.With, "birth_date") && !slices.Contains(aside, r.Name) {
			t.Errorf("rule %q not set aside on a roll without birth dates; set aside: %q", r.Name, aside)
		}
	}
	if len(aside) == 0 {
		t.Error("no rule set aside")
	}
	for _, r := range res.Review {
		if strings.Contains(r.Reason, "clearly different") {
			t.Errorf("Mason and Masen refused by a rule for rolls with birth dates: %v", r)
		}
	}
	// The same model on a roll with birth dates keeps every rule.
	res = runCSV(t, l, twinAlikeNoDateRoll)
	checkChildren(t, res)
	for _, d := range res.Dropped {
		if d.Kind == "cannot-link rule" && slices.Contains(d.Roles, normalize.RoleBirthDate) {
			t.Errorf("%s set aside on a roll with birth dates", d)
		}
	}
}

// TestSiblingsBirthdayRuleNeedsRealDates: the rule for siblings whose birth dates differ
// in one part (Ethan and Noah, born 14 May two years apart) holds only where both dates
// are days the calendar has: a date written with no such day (2009-48-14) is compared by
// its digits, and one part of it off is as likely a typo.
func TestSiblingsBirthdayRuleNeedsRealDates(t *testing.T) {
	const name = "siblings: different given names, a birth date's part different"
	const roll = studentHeader +
		"ethan-1,03,03001,,Ethan,,Parker,,2009-05-14,M,08,455 Juniper Way,Orem,84057,2021-08-20\n" +
		"noah-1,03,03002,,Noah,,Parker,,2011-05-14,M,06,455 Juniper Way,Orem,84057,2021-08-20\n" +
		"noah-2,03,03002,,Noah,,Parker,,2009-48-14,M,06,455 Juniper Way,Orem,84057,2021-08-20\n" +
		"owen-1,04,04001,,Owen,,Lindqvist,,2012-01-15,M,06,12 Fir Ct,Ogden,84401,2021-08-20\n" +
		"caleb-1,04,04002,,Caleb,,Lindqvist,,2012-12-15,M,05,12 Fir Ct,Ogden,84401,2021-08-20\n"
	l, err := New(StudentSettings())
	if err != nil {
		t.Fatal(err)
	}
	res := runCSV(t, l, roll)
	ids := res.Prepared.Roll.IDs
	ruleFor := func(a, b string) string {
		i, j := slices.Index(ids, a), slices.Index(ids, b)
		tab := res.Prepared.Table
		return l.cannotLink(res.scorer.RawKey(i, j), tab, i, tab, j)
	}
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"ethan-1", "noah-1", true},
		{"owen-1", "caleb-1", true},
		{"ethan-1", "noah-2", false}, // 2009-48-14 is no day: its digits two parts apart say nothing
	} {
		if got := ruleFor(tt.a, tt.b); (got == name) != tt.want {
			t.Errorf("%s and %s: rule %q; want %q: %v", tt.a, tt.b, got, name, tt.want)
		}
	}
}

// A record with no given name, no birth date and no SSID matches its household as well
// as the child it is: census A's "J Colby" at 303 Main (an initial alone) and B's "Mike D
// Colby" there stay apart and go to a reviewer, under the household rule. With a birth
// date that agrees, or the names swapped rather than missing, the rule says nothing.
func TestGivenNameMissingIsAHousehold(t *testing.T) {
	const roll = "record_id,first_name,middle_name,last_name,birth_date,address,city,zip\n" +
		"h-1,,J,Colby,,303 Main St,Provo,84601\n" +
		"h-2,Mike,D,Colby,,303 Main St,Provo,84601\n" +
		"d-1,,,Rossi,2010-01-23,30 Arthur Cir,Orem,84057\n" +
		"d-2,Ann,,Rossi,2010-01-23,30 Arthur Cir,Orem,84057\n" +
		"s-1,Bain,,Bradley,,12 Dunstan St,Lehi,84043\n" +
		"s-2,Bradley,,Bain,,12 Dunstan St,Lehi,84043\n"
	l, err := New(StudentSettings())
	if err != nil {
		t.Fatal(err)
	}
	res := runCSV(t, l, roll)
	const rule = "a given name missing, no birth date or SSID to tell: a household"
	if a, b := mustStudent(t, res, "h-1"), mustStudent(t, res, "h-2"); a == b {
		t.Errorf("J Colby and Mike D Colby of one home, nothing else to go on, are one student %s", a)
	}
	if diff := cmp.Diff([]string{"h-1 h-2"}, refusedBy(res, rule)); diff != "" {
		t.Errorf("pairs the household rule sent to review (-want +got):\n%s", diff)
	}
}

// TestGivenNameMissingOtherSex: a record without a given name beside a child of the other
// sex, one birthday and home (Lars Olsen, M, and a sister recorded "Olsen", F; Mercedes
// Cruz, F, and a brother recorded with his middle name in the family name's column, M):
// twins, and the date and home had joined them. Of one sex, a record without its given
// name is the child's as often as a twin's, and the rule leaves it to the weights.
func TestGivenNameMissingOtherSex(t *testing.T) {
	const roll = "record_id,first_name,last_name,birth_date,sex,address,city,zip\n" +
		"lars-1,Lars,Olsen,2014-12-04,M,9196 Center St,Provo,84616\n" +
		"lars-2,Lars,Olsen,12/04/2014,Male,9196 Center St,Provo,84616\n" +
		"sister,,Olsen,2014-12-04,F,9196 Center St,Provo,84616\n" +
		"mia-1,Mia,Berg,2013-05-06,F,4 Elm St,Orem,84057\n" +
		"mia-2,,Berg,2013-05-06,F,4 Elm St,Orem,84057\n" +
		"mercedes,Mercedes,Cruz,2007-06-03,F,1703 Highland Dr,Cedar City,84726\n" +
		"brother,,Alejandro,06/03/2007,M,1703 Highland Dr,Cedar City,84726\n"
	l, err := New(StudentSettings())
	if err != nil {
		t.Fatal(err)
	}
	res := runCSV(t, l, roll)
	if a, b := mustStudent(t, res, "lars-1"), mustStudent(t, res, "sister"); a == b {
		t.Errorf("Lars Olsen and his sister, her given name missing, are one student %s", a)
	}
	if a, b := mustStudent(t, res, "mercedes"), mustStudent(t, res, "brother"); a == b {
		t.Errorf("Mercedes Cruz and her brother, his given name missing, are one student %s", a)
	}
	if a, b := mustStudent(t, res, "mia-1"), mustStudent(t, res, "mia-2"); a != b {
		t.Errorf("Mia Berg's records, one without her given name, are students %s and %s", a, b)
	}
	const rule = "twins: a given name missing, sexes different, same birth date and home"
	if diff := cmp.Diff([]string{"brother mercedes", "lars-1 sister", "lars-2 sister"}, refusedBy(res, rule)); diff != "" {
		t.Errorf("pairs the rule sent to review (-want +got):\n%s", diff)
	}
}

func TestNameInCommon(t *testing.T) {
	tests := []struct {
		a, b normalize.Record
		want bool
	}{
		{normalize.Record{Given: "Jacob", Family: "Smith"}, normalize.Record{Given: "Ana", Middle: "Sofia", Family: "Rodriguez"}, false},
		{normalize.Record{Given: "Fdedrie", Family: "Bailey"}, normalize.Record{Given: "Bailey", Family: "Freddie"}, true}, // reversed, mistyped
		{normalize.Record{Given: "Alfie", Family: "eKelly"}, normalize.Record{Given: "Kelly", Family: "Alfie"}, true},
		{normalize.Record{Given: "Mia", Middle: "Jessica", Family: "Davis"}, normalize.Record{Given: "Jessica", Family: "Brown"}, true}, // the middle name used
		{normalize.Record{Given: "Elizabeth", Family: "Moore"}, normalize.Record{Given: "Beth", Family: "Lee"}, true},                   // a nickname
		{normalize.Record{Given: "Maria", Family: "Garcia Lopez"}, normalize.Record{Given: "Sofia", Family: "Lopez"}, true},             // a word of a compound
		{normalize.Record{Given: "Luas", Family: "Coox"}, normalize.Record{Given: "Isaac", Family: "James"}, false},
		{normalize.Record{Given: "J", Family: "Smith"}, normalize.Record{Given: "J", Family: "Brown"}, false}, // an initial holds nothing
		{normalize.Record{Given: "Ann", Family: "Smith"}, normalize.Record{Family: "Brown"}, false},
	}
	for _, tt := range tests {
		p := normalize.NewPreparer(normalize.Options{})
		tab := normalize.NewTable(2, 0)
		p.Fill(tab, 0, tt.a)
		p.Fill(tab, 1, tt.b)
		if got := nameInCommon(tab, 0, tab, 1); got != tt.want {
			t.Errorf("%+v / %+v: %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := nameInCommon(tab, 1, tab, 0); got != tt.want {
			t.Errorf("%+v / %+v (the other way): %v, want %v", tt.b, tt.a, got, tt.want)
		}
	}
}

// TestSmallRollKeepsStrangersOfOneBirthdayApart: sixteen students of two records each,
// their names damaged as rolls damage them (reversed, hyphenated, accented, nicknamed),
// and two of them (Ana Sofia Rodriguez, Jacob Smith) born the same day in one zip code.
// Trained on these 32 records alone, EM put the pairs across the two in its match class,
// learnt that a fifth of one student's pairs have names that differ outright, and made
// the two one student.
func TestSmallRollKeepsStrangersOfOneBirthdayApart(t *testing.T) {
	records := [][6]string{ // record (student letter, copy), given, family, birth date, city, zip
		{"a1", "Sean", "O'Brien", "2010-03-04", "Provo", "84601"},
		{"a2", "Sean", "OBrien", "2010-03-04", "Provo", "84601"},
		{"b1", "Maria", "Garcia-Lopez", "2011-05-06", "Orem", "84057"},
		{"b2", "Maria", "Garcia Lopez", "2011-05-06", "Orem", "84057"},
		{"c1", "Maria", "Garcia-Lopez", "2009-07-08", "Ogden", "84401"},
		{"c2", "Maria", "Lopez", "2009-07-08", "Ogden", "84401"},
		{"d1", "Kevin", "McDonald", "2012-01-02", "Logan", "84321"},
		{"d2", "Kevin", "Mc Donald", "2012-01-02", "Logan", "84321"},
		{"e1", "Anna", "St. John", "2010-10-11", "Lehi", "84043"},
		{"e2", "Anna", "Saint John", "2010-10-11", "Lehi", "84043"},
		{"f1", "José", "Hernández", "2011-02-03", "Provo", "84604"},
		{"f2", "JOSE", "HERNANDEZ", "2011-02-03", "Provo", "84604"},
		{"g1", "Nguyen Van", "Minh", "2010-04-05", "Sandy", "84070"},
		{"g2", "Minh", "Nguyen", "2010-04-05", "Sandy", "84070"},
		{"h1", "William", "Smith Jr.", "2009-08-09", "Draper", "84020"},
		{"h2", "William", "Smith", "2009-08-09", "Draper", "84020"},
		{"i1", "Elizabeth", "Taylor", "2012-06-07", "Murray", "84107"},
		{"i2", "Beth", "Taylor", "2012-06-07", "Murray", "84107"},
		{"j1", "Christopher", "Young", "2011-09-10", "Kaysville", "84037"},
		{"j2", "Chris", "Young", "2011-10-09", "Kaysville", "84037"},
		{"k1", "Mary Ann", "Lee", "2010-12-13", "Vernal", "84078"},
		{"k2", "Maryann", "Lee", "2010-12-13", "Vernal", "84078"},
		{"l1", "De'Andre", "Jackson", "2012-11-12", "Tooele", "84074"},
		{"l2", "Deandre", "Jackson", "2012-11-12", "Tooele", "84074"},
		{"m1", "Zoë", "Müller", "2011-01-15", "Heber", "84032"},
		{"m2", "Zoe", "Mueller", "2011-01-15", "Heber", "84032"},
		{"n1", "Ana Sofia", "Rodriguez", "2010-02-16", "Price", "84501"},
		{"n2", "Sofia", "Rodriguez", "2010-02-16", "Price", "84501"},
		{"o1", "Jacob", "Smith", "2010-02-16", "Price", "84501"},
		{"o2", "Jakob", "Smyth", "2010-02-16", "Price", "84501"},
		{"p1", "Tyler", "Brown", "2011-03-17", "Nephi", "84648"},
		{"p2", "Brown", "Tyler", "2011-03-17", "Nephi", "84648"},
	}
	roll := studentHeader
	for _, r := range records {
		roll += fmt.Sprintf("%s,01,01001,,%s,,%s,,%s,,3,,%s,%s,2023-08-20\n", r[0], r[1], r[2], r[3], r[4], r[5])
	}
	l, err := New(StudentSettings())
	if err != nil {
		t.Fatal(err)
	}
	res := runCSV(t, l, roll)
	student := map[int32]byte{} // cluster → the student letter of its records
	for i, lab := range res.Label {
		letter := records[i][0][0]
		if s, ok := student[lab]; ok && s != letter {
			t.Errorf("student %s holds records of students %c and %c", res.StudentIDs[lab], s, letter)
		}
		student[lab] = letter
	}
	if len(student) != len(records)/2 {
		t.Errorf("%d students, want %d (each student's two records linked)", len(student), len(records)/2)
	}
	const rule = "no name in common, no SSID or home to tell"
	if !slices.ContainsFunc(res.Review, func(it ReviewItem) bool { return it.Rule == rule }) {
		t.Errorf("no review item refused by %q: want the pair across the two children in the review queue", rule)
	}
}

// TestSSIDTypoIsNotTwins: one child whose given name was replaced and whose SSID has a
// digit mistyped in its middle (FEBRL's Kieren and Allegra Reid) against twins whose
// SSIDs were issued together, one number apart, with a check digit after it or not. A
// typo lands anywhere in an SSID; only the twins' numbers are near, and only they meet
// the twins rule on SSIDs a digit apart.
func TestSSIDTypoIsNotTwins(t *testing.T) {
	const rule = "twins: same family name and birth date, different given names, SSIDs a digit apart"
	roll := studentHeader +
		"kieren-1,01,01001,5120937461,Kieren,,Reid,,2009-04-12,M,8,17 Sage St,Provo,84601,2023-08-20\n" +
		"kieren-2,02,02003,5120987461,Allegra,,Reid,,4/12/2009,M,9,17 Sage St,Provo,84601,2024-08-19\n" +
		"emma-1,03,03001,4000000014,Emma,,Johnson,,2014-05-06,F,4,88 Orchard Ln,Ogden,84401,2023-08-20\n" +
		"olivia-1,04,04002,4000000015,Olivia,,Johnson,,5/6/2014,F,5,88 Orchard Ln,Ogden,84401,2024-08-19\n" +
		// Twins whose state appends a check digit: consecutive numbers, 0701 and 0711;
		// Mason and Jason, their given names alike, 0700 and 0710.
		"noah-1,05,05001,4000000701,Noah,,Ortiz,,2012-09-10,M,6,5 Elm St,Logan,84321,2023-08-20\n" +
		"liam-1,06,06002,4000000711,Liam,,Ortiz,,9/10/2012,M,7,5 Elm St,Logan,84321,2024-08-19\n" +
		"mason-1,07,07001,5800000700,Mason,,Hansen,,2011-08-08,M,7,1 Ridge Rd,Sandy,84070,2023-08-20\n" +
		"jason-1,08,08002,5800000710,Jason,,Hansen,,8/8/2011,M,8,1 Ridge Rd,Sandy,84070,2024-08-19\n" +
		// One boy's name with two letters swapped, an SSID digit mistyped near its end:
		// one child, not twins; twins Kaylee Marie and Kayla Marie, their SSIDs issued
		// together, one middle name on both: twins still.
		"jer-1,01,01002,5377112299,Jeremiah,,King,,2011-04-26,M,7,4 Sage Ct,Orem,84057,2023-08-20\n" +
		"jer-2,02,02002,5377112289,Jermeiah,,King,,4/26/2011,M,8,4 Sage Ct,Orem,84057,2024-08-19\n" +
		"kaylee-1,03,03002,6100000201,Kaylee,Marie,Begay,,2013-02-03,F,5,8 Mesa Dr,Kayenta,86033,2023-08-20\n" +
		"kayla-1,04,04002,6100000202,Kayla,Marie,Begay,,2/3/2013,F,6,8 Mesa Dr,Kayenta,86033,2024-08-19\n"
	l, err := New(StudentSettings())
	if err != nil {
		t.Fatal(err)
	}
	res := runCSV(t, l, roll)
	refused := map[string]bool{} // the child of each record a review item under the rule names
	for _, it := range res.Review {
		if it.Rule == rule || it.Reason == rule {
			refused[it.A] = true
			refused[it.B] = true
		}
	}
	if refused["kieren-1"] || refused["kieren-2"] {
		t.Errorf("Kieren's records (SSIDs a typo apart) held apart by %q", rule)
	}
	if res.Label[2] == res.Label[3] {
		t.Errorf("Emma and Olivia Johnson (twins, SSIDs issued together) linked")
	}
	if res.Label[4] == res.Label[5] {
		t.Errorf("Noah and Liam Ortiz (twins, SSIDs issued together with a check digit) linked")
	}
	if res.Label[6] == res.Label[7] {
		t.Errorf("Mason and Jason Hansen (twins, given names alike, SSIDs issued together with a check digit) linked")
	}
	if res.Label[8] != res.Label[9] {
		t.Errorf("Jeremiah and Jermeiah King (two letters swapped, an SSID digit mistyped) split")
	}
	if res.Label[10] == res.Label[11] {
		t.Errorf("Kaylee Marie and Kayla Marie Begay (twins, SSIDs issued together, one middle name) linked")
	}
}

// TestSSIDDigitApartDatesDifferent: birth dates different beside SSIDs a digit apart go
// to a reviewer, wherever the digit is. Mason and Jason Hansen, siblings whose SSIDs were
// issued together, and two Sofia Martinez of one town, whose SSIDs a state issuing its
// numbers densely put a digit apart, are two children; FEBRL's Imogen and Imzogen Akroyd,
// one street and an SSID mistyped far up the number, one child, whom nothing in the
// records tells from the Sofias but the zip (benchmarks/ACCURACY.md: tried and not kept).
func TestSSIDDigitApartDatesDifferent(t *testing.T) {
	roll := studentHeader +
		"imogen-1,01,01001,4817613,Imogen,,Akroyd,,2010-12-18,F,8,8 Everard St,Marsfield,32190,2023-08-20\n" +
		"imogen-2,02,02003,4816613,Imzogen,,Akroyd,,2016-12-06,F,9,14 Everard St,Marsfield,32190,2024-08-19\n" +
		"mason-1,03,03001,5800000700,Mason,,Hansen,,2011-08-08,M,7,1 Ridge Rd,Sandy,84070,2023-08-20\n" +
		"jason-1,04,04002,5800000701,Jason,,Hansen,,2013-03-21,M,5,1 Ridge Rd,Sandy,84070,2024-08-19\n" +
		"mason-2,05,05001,5800000710,Mason,,Hansen,,2014-11-30,M,3,1 Ridge Rd,Sandy,84070,2023-08-20\n" +
		"sofia-1,06,06001,5812345678,Sofia,,Martinez,,2012-02-14,F,6,9 Main St,Logan,84321,2023-08-20\n" +
		"sofia-2,07,07002,5812315678,Sofia,,Martinez,,2010-07-03,F,8,40 Center St,Logan,84341,2024-08-19\n"
	l, err := New(StudentSettings())
	if err != nil {
		t.Fatal(err)
	}
	res := runCSV(t, l, roll)
	for _, p := range [][2]int{{2, 3}, {2, 4}, {3, 4}, {5, 6}} {
		if res.Label[p[0]] == res.Label[p[1]] {
			t.Errorf("records %d and %d (two children, SSIDs a digit apart, birth dates different) linked", p[0], p[1])
		}
	}
	reviewed := false
	for _, it := range res.Review {
		if it.A == "imogen-1" && it.B == "imogen-2" || it.A == "imogen-2" && it.B == "imogen-1" {
			reviewed = it.Rule == differentBirthDates || it.Reason == differentBirthDates
		}
	}
	if res.Label[0] == res.Label[1] || !reviewed {
		t.Errorf("Imogen Akroyd's records: want them apart and in review under %q; review: %+v", differentBirthDates, res.Review)
	}
}

// TestSSIDsWithLetters: Ohio's SSIDs are two letters and seven digits. Namesakes born
// the same day in two towns whose SSIDs differ in the letters alone (AE1234567 and
// BK1234567) are two children, and twins whose numbers were issued together under the
// same letters (AE7654321 and AE7654322) stay apart as twins do; each child's own
// records, one SSID written with a dash, are one student.
func TestSSIDsWithLetters(t *testing.T) {
	const roll = studentHeader +
		"sofia-1,01,01001,AE1234567,Sofia,,Martinez,,2012-03-04,F,6,5 Oak St,Provo,84601,2023-08-20\n" +
		"sofia-2,02,02001,AE-1234567,Sofia,,Martinez,,3/4/2012,F,7,5 Oak St,Provo,84601,2024-08-19\n" +
		"sofiab-1,03,03001,BK1234567,Sofia,,Martinez,,2012-03-04,F,6,88 Lake Dr,Logan,84321,2023-08-20\n" +
		"sofiab-2,04,04001,BK1234567,Sofia,,Martinez,,03/04/2012,F,7,88 Lake Dr,Logan,84321,2024-08-19\n" +
		"mason-1,05,05001,AE7654321,Mason,,Hill,,2011-05-06,M,7,9 Elm St,Ogden,84401,2023-08-20\n" +
		"mason-2,06,06001,AE7654321,Mason,,Hill,,5/6/2011,M,8,9 Elm St,Ogden,84401,2024-08-19\n" +
		"ethan-1,05,05001,AE7654322,Ethan,,Hill,,2011-05-06,M,7,9 Elm St,Ogden,84401,2023-08-20\n" +
		"ethan-2,06,06001,AE7654322,Ethan,,Hill,,5/6/2011,M,8,9 Elm St,Ogden,84401,2024-08-19\n"
	checkStudentRoll(t, roll)
}

// TestMistypedTwinSSID: twins whose SSIDs were issued together, one mistyped since
// (9593516128 and 9593516627: …6128 and …6127 but for a 6 for a 1), given names a typo's
// distance apart but under 0.92, stay two children (CannotLink.MistypedTwinSSIDs), while
// one child's SSID mistyped twice, far from issued together, stays one child's.
func TestMistypedTwinSSID(t *testing.T) {
	const roll = studentHeader +
		"aubrey-1,01,01001,9593516128,Aubrey,,Allen,,2003-07-05,F,12,6792 Orchard Ln,Park City,84078,2020-08-19\n" +
		"aubrey-2,02,02001,9593516128,Aubrey,,Allen,,07/05/2003,F,11,6792 Orchard Ln,Park City,84078,2019-08-21\n" +
		"audrey-1,03,03001,9593516627,Audrey,,Allen,,2003-07-05,F,11,6792 Orchard Ln,Park City,84078,2019-08-21\n" +
		"audrey-2,04,04001,9593516627,Audrey,,Allen,,7/5/2003,F,12,6792 Orchard Ln,Park City,84078,2020-08-19\n" +
		"mason-1,05,05001,5377001234,Mason,,Hill,,2011-05-06,M,7,9 Elm St,Ogden,84401,2023-08-20\n" +
		"mason-2,06,06001,3577001243,Mason,,Hill,,5/6/2011,M,8,41 Pine Ave,Logan,84321,2024-08-19\n"
	checkStudentRoll(t, roll)
}
