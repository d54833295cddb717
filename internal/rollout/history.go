package rollout

import (
	platformv1 "bellwork.dev/bellwork/api/v1"
)

// maxHistory is how many rollouts status keeps.
const maxHistory = 10

// record adds a rollout to the front of the history.
func (s *stepper) record(rec platformv1.RolloutRecord) {
	s.st.History = append([]platformv1.RolloutRecord{rec}, s.st.History...)
	if len(s.st.History) > maxHistory {
		s.st.History = s.st.History[:maxHistory]
	}
}

// historyOf is the record of the rollout in progress (its revision and
// attempt, newest first); a scratch record when it fell out of the history.
func (s *stepper) historyOf(r *platformv1.RolloutStatus) *platformv1.RolloutRecord {
	for i := range s.st.History {
		h := &s.st.History[i]
		if h.Revision == r.Revision && h.Attempt == r.Attempt && h.StartTime.Equal(&r.StartTime) {
			return h
		}
	}
	return &platformv1.RolloutRecord{}
}

func (s *stepper) finishRecord(r *platformv1.RolloutStatus, outcome platformv1.RolloutOutcome, msg string) {
	h := s.historyOf(r)
	h.Outcome, h.Message = outcome, msg
	h.EndTime = ptrTime(s.now)
}

// retire marks the newest succeeded record of a revision as no longer
// serving from now: the rollback window counts from here.
func (s *stepper) retire(rev int64) {
	for i := range s.st.History {
		h := &s.st.History[i]
		if h.Revision == rev && h.Outcome == platformv1.OutcomeSucceeded {
			if h.RetiredTime == nil {
				h.RetiredTime = ptrTime(s.now)
			}
			return
		}
	}
}

// unretire marks a revision serving again after a rollback to it.
func (s *stepper) unretire(rev int64) {
	for i := range s.st.History {
		h := &s.st.History[i]
		if h.Revision == rev && h.Outcome == platformv1.OutcomeSucceeded {
			h.RetiredTime = nil
			return
		}
	}
}
