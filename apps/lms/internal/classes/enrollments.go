package classes

// EnrollmentRole is how a person takes part in a section. It is not a
// db.Role (a membership held at a school): a teacher by membership is
// enrolled as Teacher in the sections they teach.
type EnrollmentRole string

// The enrollment roles the enrollments table allows.
const (
	Teacher EnrollmentRole = "teacher"
	Student EnrollmentRole = "student"
)
