package v1

// SecretKeyReference names one key of a Secret in the object's own namespace
// (or, for the cluster-scoped Tenant, in the namespace given).
type SecretKeyReference struct {
	// Name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`

	// Key within the Secret's data.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Key string `json:"key"`
}

// Weekday is a day of the week, written in English with a capital letter.
// +kubebuilder:validation:Enum=Monday;Tuesday;Wednesday;Thursday;Friday;Saturday;Sunday
type Weekday string

// Weekdays in calendar order.
const (
	Monday    Weekday = "Monday"
	Tuesday   Weekday = "Tuesday"
	Wednesday Weekday = "Wednesday"
	Thursday  Weekday = "Thursday"
	Friday    Weekday = "Friday"
	Saturday  Weekday = "Saturday"
	Sunday    Weekday = "Sunday"
)

// LocalTime is a wall-clock time of day, "HH:MM" in 24-hour notation.
// +kubebuilder:validation:MaxLength=5
// +kubebuilder:validation:XValidation:rule="self.matches('^([01][0-9]|2[0-3]):[0-5][0-9]$')",message="must be a time of day written HH:MM in 24-hour notation, such as 08:00 or 15:30"
type LocalTime string

// Date is a calendar day written as "YYYY-MM-DD".
// +kubebuilder:validation:MaxLength=10
// +kubebuilder:validation:XValidation:rule="self.matches('^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$')",message="must be a date written YYYY-MM-DD, such as 2026-08-17"
type Date string

// TimeZone is an IANA time zone name such as "America/Chicago" or "UTC". The
// schema checks its shape; the controllers check that the name exists in the
// time zone database and report an unknown name in status.
// +kubebuilder:validation:MaxLength=64
// +kubebuilder:validation:XValidation:rule="self == 'UTC' || self.matches('^[A-Z][A-Za-z_+-]*(/[A-Za-z0-9_+-]+){1,2}$')",message="must be an IANA time zone name such as America/Chicago, Europe/London or UTC"
type TimeZone string

// TimeWindow is a span of wall-clock time on some days of the week.
// +kubebuilder:validation:XValidation:rule="self.start < self.end",message="start must be before end (windows that cross midnight are written as two windows)"
type TimeWindow struct {
	// Days the window applies to.
	// +kubebuilder:validation:MaxItems=7
	// +kubebuilder:validation:XValidation:rule="size(self) > 0",message="days must name at least one day, such as [Monday, Tuesday]"
	// +listType=set
	Days []Weekday `json:"days"`

	// Start of the window, "HH:MM".
	Start LocalTime `json:"start"`

	// End of the window, "HH:MM"; must be after start.
	End LocalTime `json:"end"`
}

// Phase is a one-word summary of an object's state for `kubectl get`.
type Phase string
