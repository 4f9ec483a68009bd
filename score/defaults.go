package score

import (
	"fmt"
	"strings"

	"github.com/studentlink/studentlink/normalize"
)

// The documented defaults: m and u of each level when there is too little data to train,
// or when training gives a fit that cannot be right. m says how often a level occurs
// between two records of one person; u how often between two strangers.
//
//	level                          m      u
//	given_name exact             0.82   0.01
//	  nickname                   0.04   0.002
//	  initial                    0.01   0.004
//	  jaro_winkler ≥ t (k-th)    0.05 shared, higher t more   0.002·k
//	  metaphone                  0.02   0.004
//	  middle_swapped             0.02   0.0005
//	family_name exact            0.85   0.005
//	  token                      0.03   0.0005
//	  jaro_winkler ≥ t (k-th)    0.05 shared   0.002·k
//	  phonetic                   0.02   0.003
//	birth_date exact             0.86   0.0002 (a day in about 14 years)
//	  day_month_swapped          0.01   0.00002
//	  one_digit                  0.05   0.003
//	  within_month               0.01   0.002
//	  two_parts                  0.02   0.003
//	  same_year                  0.02   0.05
//	  two_digits                 0.005  0.02
//	id exact                     0.95   0.000001
//	  one_edit                   0.02   0.00001
//	id on email exact            0.70   0.0005 (addresses change; a parent's is shared)
//	  one_edit                   0.03   0.00005
//	id on phone exact            0.60   0.001 (numbers change; a household's is shared)
//	  one_edit                   0.03   0.0001
//	exact on sex                 0.95   0.5
//	exact on zip                 0.95   0.05
//	exact on anything else       0.95   0.01
//	text exact                   0.80   0.01
//	  jaro_winkler ≥ t (k-th)    0.10 shared   0.005·k
//	name_swap swapped            0.01   0.00001
//
// else takes what the other levels leave.
func DefaultParameters(c Comparison) (m, u []float64) {
	names := c.LevelNames()
	m = make([]float64, len(names))
	u = make([]float64, len(names))
	jw := 0
	for l, name := range names[1 : len(names)-1] {
		l++
		var pm, pu float64
		switch {
		case strings.Contains(name, "jaro_winkler"):
			jw++
			share, step := 0.05, 0.002
			switch c.Kind {
			case KindText:
				share, step = 0.10, 0.005
			case KindLocation:
				share, step = 0.05, 0.0002
			}
			// Higher thresholds take more of the share: weights k/(1+…+n) reversed.
			n := len(c.Thresholds)
			pm = share * float64(n-jw+1) / float64(n*(n+1)/2)
			pu = step * float64(jw)
		default:
			pm, pu = defaultLevel(c, name)
		}
		m[l], u[l] = pm, pu
	}
	rest := func(p []float64) {
		t := 0.0
		for _, x := range p[1 : len(p)-1] {
			t += x
		}
		p[len(p)-1] = max(1-t, minProbability)
	}
	rest(m)
	rest(u)
	return m, u
}

func defaultLevel(c Comparison, name string) (m, u float64) {
	switch c.Kind {
	case KindGivenName:
		switch name {
		case "exact":
			return 0.82, 0.01
		case "nickname":
			return 0.04, 0.002
		case "initial":
			return 0.01, 0.004
		case "metaphone":
			return 0.02, 0.004
		case "middle_swapped":
			return 0.02, 0.0005
		}
	case KindFamilyName:
		switch name {
		case "exact":
			return 0.85, 0.005
		case "token":
			return 0.03, 0.0005
		case "phonetic":
			return 0.02, 0.003
		}
	case KindBirthDate:
		switch name {
		case "exact":
			return 0.86, 0.0002
		case "day_month_swapped":
			return 0.01, 0.00002
		case "one_digit":
			return 0.05, 0.003
		case "within_month":
			return 0.01, 0.002
		case "two_parts":
			return 0.02, 0.003
		case "same_year":
			return 0.02, 0.05
		case "two_digits":
			return 0.005, 0.02
		}
	case KindID:
		switch {
		case c.Role == normalize.RoleEmail && name == "exact":
			return 0.70, 0.0005
		case c.Role == normalize.RoleEmail && name == "one_edit":
			return 0.03, 0.00005
		case c.Role == normalize.RolePhone && name == "exact":
			return 0.60, 0.001
		case c.Role == normalize.RolePhone && name == "one_edit":
			return 0.03, 0.0001
		}
		switch name {
		case "exact":
			return 0.95, 0.000001
		case "one_edit":
			return 0.02, 0.00001
		case "two_edits":
			return 0.002, 0.0001
		}
	case KindExact:
		switch c.Role {
		case normalize.RoleSex:
			return 0.95, 0.5
		case normalize.RoleZip:
			return 0.95, 0.05
		case normalize.RoleClassOf: // a child held back or moved up a grade: another class
			return 0.95, 0.08
		}
		return 0.95, 0.01
	case KindText:
		return 0.80, 0.01
	case KindNameSwap:
		return 0.01, 0.00001
	case KindLocation:
		switch name {
		case "address":
			return 0.6, 0.0001
		case "zip":
			return 0.15, 0.01
		case "city":
			return 0.1, 0.05
		}
	}
	return 0.5, 0.01
}

// DefaultModel returns a model with every comparison at its documented defaults
// (DefaultParameters) and the given prior.
func DefaultModel(comps []Comparison, prior float64) (Model, error) {
	m, err := NewModel(comps, prior)
	if err != nil {
		return Model{}, err
	}
	for c, comp := range comps {
		m.M[c], m.U[c] = DefaultParameters(comp)
	}
	return m, nil
}

// FitWarning says what looks wrong with a trained comparison. Level is "" when the
// warning is about the comparison as a whole, and Comparison is "" when it is about the
// whole model.
type FitWarning struct {
	Comparison string `json:"comparison,omitempty"`
	Level      string `json:"level,omitempty"`
	Message    string `json:"message"`
}

func (w FitWarning) String() string {
	switch {
	case w.Comparison == "":
		return w.Message
	case w.Level == "":
		return w.Comparison + ": " + w.Message
	}
	return w.Comparison + " " + w.Level + ": " + w.Message
}

// CheckFit reports what cannot be right in a trained model: a level's weight out of the
// order of the levels, a name whose exact level is rarer than half among matches, an
// exact level less likely among matches than among strangers, and a match class that on
// average agrees exactly on fewer fields than the non-match class.
func CheckFit(m Model) []FitWarning {
	var out []FitWarning
	var agreeM, agreeU float64
	for c, comp := range m.Comparisons {
		names := comp.LevelNames()
		if comp.Kind == KindNameSwap {
			continue
		}
		mx, ux := m.M[c][LevelExact], m.U[c][LevelExact]
		agreeM += mx
		agreeU += ux
		if l := LevelsOrdered(m.M[c], m.U[c]); l != 0 {
			out = append(out, FitWarning{comp.Name, names[l], fmt.Sprintf("weight %+.2f is out of the order of the levels (exact %+.2f, else %+.2f)",
				levelWeight(m.M[c][l], m.U[c][l]), levelWeight(mx, ux), levelWeight(m.M[c][len(names)-1], m.U[c][len(names)-1]))})
		}
		if (comp.Kind == KindGivenName || comp.Kind == KindFamilyName) && mx < 0.5 {
			out = append(out, FitWarning{comp.Name, "exact", fmt.Sprintf("m = %.3g: fewer than half of matching pairs agree on the name", mx)})
		}
		if mx < ux {
			out = append(out, FitWarning{comp.Name, "exact", fmt.Sprintf("m = %.3g is below u = %.3g: agreeing would count against a match", mx, ux)})
		}
	}
	if agreeM <= agreeU {
		out = append(out, FitWarning{Message: fmt.Sprintf("the match class agrees exactly on %.2f fields on average, the non-match class on %.2f: EM found something other than the person", agreeM, agreeU)})
	}
	return out
}
