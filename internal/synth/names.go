package synth

// Name lists with rough relative frequencies. The heaviest names are heavy on purpose:
// a real state roll has many José Garcías and Emma Smiths, and they are the hard cases.

type weighted struct {
	name   string
	weight int
}

// origin is a naming tradition: given names by sex, family names, and its share of
// students.
type origin struct {
	name     string
	share    int
	female   []weighted
	male     []weighted
	family   []weighted
	compound float64 // chance of a two-part family name (García-López)
}

var origins = []origin{
	{name: "english", share: 48, compound: 0.02,
		female: ws("Emma:30 Olivia:28 Ava:20 Sophia:18 Isabella:16 Mia:15 Charlotte:14 Amelia:12 Harper:12 Evelyn:10 Abigail:10 Emily:12 Elizabeth:12 Ella:9 Madison:9 Scarlett:8 Grace:9 Chloe:8 Victoria:6 Hannah:8 Lily:8 Addison:6 Natalie:6 Zoe:6 Zoë:2 Brooklyn:6 Samantha:6 Katherine:5 Margaret:4 Rebecca:4 Jennifer:4 Jessica:4 Ashley:4 Sarah:6 Rachel:4 Megan:3 Caroline:3 Anne:3 Mary:4 Alice:3 Allison:3 Amanda:3 Susan:2 Patricia:2 Christina:3 Alexandra:3 Theresa:2 Abby:2"),
		male:   ws("Liam:30 Noah:28 William:22 James:22 Oliver:18 Benjamin:16 Elijah:15 Lucas:14 Mason:13 Logan:12 Alexander:12 Ethan:12 Jacob:14 Michael:16 Daniel:12 Henry:10 Jackson:10 Sebastian:8 Aiden:8 Matthew:12 Samuel:9 David:12 Joseph:12 Carter:6 Owen:8 Wyatt:7 John:12 Jack:8 Luke:7 Jayden:6 Dylan:6 Grayson:5 Levi:5 Isaac:6 Gabriel:6 Julian:5 Anthony:8 Andrew:8 Christopher:8 Joshua:7 Nathan:6 Thomas:7 Charles:6 Robert:8 Richard:5 Edward:4 Nicholas:6 Zachary:4 Timothy:4 Steven:4 Peter:3 Kenneth:3 Jonathan:5"),
		family: ws("Smith:40 Johnson:32 Williams:28 Brown:26 Jones:25 Miller:22 Davis:22 Wilson:16 Anderson:15 Taylor:15 Thomas:14 Moore:13 Jackson:13 Martin:13 Lee:12 Thompson:12 White:12 Harris:11 Clark:11 Lewis:10 Robinson:10 Walker:10 Young:10 Allen:9 King:9 Wright:9 Scott:8 Hill:8 Green:8 Adams:8 Baker:8 Nelson:7 Carter:7 Mitchell:7 Roberts:7 Turner:6 Phillips:6 Campbell:6 Parker:6 Evans:6 Edwards:5 Collins:5 Stewart:5 Morris:5 Murphy:5 Cook:5 Rogers:5 Morgan:5 Cooper:5 Peterson:5 Bailey:4 Reed:4 Kelly:4 Howard:4 Cox:4 Ward:4 Richardson:4 Watson:4 Brooks:4 Wood:4 James:4 Bennett:4 Gray:4 Hughes:4 Price:3 Sanders:3 Myers:3 Long:3 Ross:3 Foster:3 O'Brien:3 O'Connor:2 McDonald:3 Van Wagoner:2 St. John:1 Christensen:4 Jensen:4 Larsen:3"),
	},
	{name: "spanish", share: 30, compound: 0.25,
		female: ws("María:20 Sofía:14 Valentina:10 Camila:12 Isabella:10 Ximena:8 Guadalupe:10 Daniela:9 Mariana:8 Gabriela:8 Alejandra:7 Fernanda:6 Lucía:7 Ana:9 Andrea:8 Natalia:6 Paola:5 Juana:4 Rosa:5 Carmen:5 Dolores:3 Esperanza:3 Leticia:3 Yesenia:3 Araceli:2 Concepción:2 Mercedes:3 Josefina:3 Consuelo:2 Elena:5 Isabel:5 Victoria:4 Adriana:4 Jimena:3 Regina:3 Renata:3"),
		male:   ws("José:28 Juan:18 Luis:15 Carlos:14 Jesús:12 Miguel:14 Antonio:10 Francisco:12 Jorge:9 Alejandro:10 Diego:10 Santiago:8 Mateo:9 Sebastián:7 Ángel:8 Eduardo:7 Fernando:7 Ricardo:6 Roberto:6 Manuel:8 Javier:7 Pedro:6 Rafael:5 Sergio:5 Guillermo:4 Ignacio:4 Alberto:5 Gerardo:4 Héctor:4 Raúl:4 Emiliano:5 Iker:3 Joaquín:3 Tomás:3 Andrés:4"),
		family: ws("García:40 Rodríguez:30 Martínez:30 Hernández:28 López:28 González:26 Pérez:20 Sánchez:20 Ramírez:18 Torres:14 Flores:14 Rivera:13 Gómez:13 Díaz:12 Cruz:10 Morales:10 Reyes:10 Gutiérrez:9 Ortiz:9 Chávez:9 Ramos:8 Ruiz:8 Mendoza:8 Álvarez:8 Castillo:7 Jiménez:7 Vásquez:7 Romero:7 Herrera:6 Medina:6 Aguilar:6 Castro:6 Vargas:6 Muñoz:5 Guzmán:5 Salazar:5 Peña:5 Núñez:4 Delgado:4 Ibáñez:2 De La Cruz:4 De León:3 Del Río:2 Villanueva:3 Cervantes:3 Espinoza:4 Navarro:4"),
	},
	{name: "pacific", share: 5, compound: 0.15,
		female: ws("Leilani:6 Malia:6 Mele:5 Sina:4 Losa:3 Alofa:3 Kalani:3 Noelani:3 Ana:3 Lupe:3 Fetu:2 Salote:2 Kaimana:2 Moana:3"),
		male:   ws("Sione:8 Tevita:6 Semisi:5 Viliami:5 Keoni:4 Kekoa:4 Makoa:3 Tui:3 Sefo:3 Ioane:3 Kainoa:3 Malakai:4 Manase:2 Pita:2"),
		family: ws("Tuilagi:5 Fifita:5 Taufa:4 Vaifale:3 Lolohea:3 Tonga:3 Mahe:3 Kaʻahumanu:2 Kealamakia:2 Fa'alogo:2 Tuʻipulotu:2 Young:3 Leota:3 Faleolo:2 Havili:2 Moala:3 Kauhane:2"),
	},
	{name: "vietnamese", share: 5, compound: 0,
		female: ws("Anh:6 Linh:6 Thảo:4 Trang:4 Ngọc:4 Hương:3 Mai:5 Lan:4 Phương:3 Vy:4 Thu:3 Hạnh:2"),
		male:   ws("Minh:6 Huy:5 Khang:4 Bảo:4 Tuấn:4 Long:4 Nam:4 Phúc:3 Quang:3 Đức:3 Dũng:3 Hoàng:3"),
		family: ws("Nguyễn:20 Trần:10 Lê:8 Phạm:7 Huỳnh:5 Hoàng:4 Phan:4 Vũ:3 Võ:3 Đặng:3 Bùi:3 Đỗ:3 Hồ:2 Ngô:2 Dương:2 Lý:2 Trương:2"),
	},
	{name: "navajo", share: 4, compound: 0,
		female: ws("Nizhoni:4 Shandiin:3 Ayita:2 Dezba:2 Naomi:3 Shaylee:3 Kayla:3 Tiana:2 Autumn:2 Cheyenne:2"),
		male:   ws("Ahiga:2 Hastiin:2 Tahoma:2 Kai:3 Jacob:3 Tyler:3 Dineh:2 Shilah:2 Elias:2 Ethan:2"),
		family: ws("Begay:10 Yazzie:8 Benally:5 Tsosie:5 Nez:5 Etsitty:3 Harvey:3 Yellowhair:3 Manygoats:2 Bitsui:3 Chee:4 Tso:3 Joe:3 Tohee:2 Sandoval:3 Descheenie:2"),
	},
	{name: "scandinavian", share: 8, compound: 0.02,
		female: ws("Ingrid:3 Astrid:3 Freya:4 Sigrid:2 Solveig:2 Liv:3 Maja:3 Elin:3 Kaja:2 Björk:1 Åsa:2 Linnéa:2 Sofie:3 Ida:3"),
		male:   ws("Søren:3 Lars:4 Anders:4 Erik:5 Magnus:3 Nils:3 Bjørn:2 Håkon:2 Leif:2 Sven:3 Axel:3 Emil:3 Oskar:3 Jens:3"),
		family: ws("Christensen:6 Jensen:6 Larsen:5 Nielsen:5 Hansen:6 Andersen:5 Pedersen:4 Olsen:5 Johansson:4 Lindqvist:2 Ærøskøbing:1 Sørensen:3 Bjørnstad:2 Halvorsen:3 Øster:2 Strøm:2 Dahl:3 Berg:4 Lund:3"),
	},
}

// ws parses "Name:weight Name:weight"; names with spaces use no-break-free spelling in
// the lists above and are split on the last colon only.
func ws(spec string) []weighted {
	var out []weighted
	start := 0
	for i := 0; i <= len(spec); i++ {
		if i == len(spec) || (spec[i] == ' ' && i > 0 && isDigit(spec[i-1])) {
			item := spec[start:i]
			start = i + 1
			colon := lastColon(item)
			if colon < 0 {
				continue
			}
			w := 0
			for _, c := range item[colon+1:] {
				w = w*10 + int(c-'0')
			}
			out = append(out, weighted{item[:colon], w})
		}
	}
	return out
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func lastColon(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == ':' {
			return i
		}
	}
	return -1
}

var streets = []string{"Main St", "Center St", "State St", "Oak Ave", "Maple Dr", "Elm St", "Cedar Ln",
	"Pine St", "Willow Way", "Canyon Rd", "Lakeview Dr", "Sunset Blvd", "Highland Dr", "River Rd",
	"Mountain View Ln", "Cherry Ln", "Aspen Ct", "Juniper Way", "Sage Dr", "Redwood Rd", "Park Ave",
	"1st Ave", "2nd Ave", "3rd South", "400 East", "700 North", "Foothill Dr", "Orchard Ln", "Mesa Dr"}

var cities = []struct {
	name string
	zip  int
}{
	{"Salt Lake City", 84101}, {"West Valley City", 84119}, {"Provo", 84601}, {"Orem", 84057},
	{"Ogden", 84401}, {"Logan", 84321}, {"St. George", 84770}, {"Sandy", 84070}, {"Layton", 84041},
	{"Lehi", 84043}, {"Moab", 84532}, {"Park City", 84060}, {"Blanding", 84511}, {"Kayenta", 86033},
	{"Cedar City", 84720}, {"Tooele", 84074}, {"Vernal", 84078}, {"Price", 84501},
}

// alikeFemale and alikeMale are given names parents give twins of one sex, a letter or
// two apart in spelling (Jaro–Winkler ≥ 0.85 folded), and two names still.
var (
	alikeFemale = [][2]string{{"Hailey", "Bailey"}, {"Kayla", "Jayla"}, {"Maria", "Marta"}, {"Jayla", "Jayda"},
		{"Madison", "Addison"}, {"Kaylee", "Haylee"}, {"Molly", "Holly"}, {"Aubrey", "Audrey"},
		{"Julia", "Juliana"}, {"Lila", "Lola"}, {"Marisa", "Marina"}, {"Sara", "Sarai"}, {"Lily", "Lila"}}
	alikeMale = [][2]string{{"Mason", "Jason"}, {"Aiden", "Jaden"}, {"Brady", "Grady"}, {"Dustin", "Justin"},
		{"Kaden", "Jaden"}, {"Ryan", "Bryan"}, {"Caleb", "Kaleb"}, {"Camden", "Cayden"}, {"Jayden", "Hayden"},
		{"Eli", "Elias"}, {"Isaac", "Isaiah"}, {"Jonah", "Jonas"}}
)
