package portal

// Question is one question of "Is this offer safe?", built from the
// deceptive and coercive recruitment indicators (ILO/EC operational
// indicators, D1 and D2; DOMAIN.md §1.3). Risky is the answer that is a
// warning sign; "unsure" is always treated as one to check.
type Question struct {
	Key   string
	Risky string // "yes" or "no"
}

// Questions are asked in this order. Their texts are the catalogue's
// check.q.KEY (question) and check.a.KEY (advice for the risky answer).
var Questions = []Question{
	{"contract", "no"},      // deceived about content or legality of the work contract
	{"employer", "no"},      // deceived about the nature of the job, location or employer
	{"pay", "yes"},          // deceived about wages
	{"fee", "yes"},          // debt bondage
	{"travel", "yes"},       // deceived about travel and recruitment conditions
	{"passport", "yes"},     // confiscation of documents
	{"contact", "no"},       // isolation, confinement or surveillance
	{"secret", "yes"},       // lack of information, pressure
	{"relationship", "yes"}, // promises of marriage
}

// Answers are the choices of every question.
var Answers = []string{"yes", "no", "unsure"}

// Result is the advice for one answered question.
type Result struct {
	Question Question
	Answer   string
	Warning  bool
}

// Assess turns the answers (question key → yes | no | unsure) into advice,
// in the order of the questions; unanswered questions are left out.
func Assess(answers map[string]string) (out []Result, warnings int) {
	for _, q := range Questions {
		a := answers[q.Key]
		if a != "yes" && a != "no" && a != "unsure" {
			continue
		}
		w := a == q.Risky || a == "unsure"
		if w {
			warnings++
		}
		out = append(out, Result{Question: q, Answer: a, Warning: w})
	}
	return out, warnings
}
