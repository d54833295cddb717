package v1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// SchoolSpec describes one school of a district: its code, time zone,
// calendar, grade bands, branding and seats.
type SchoolSpec struct {
	// Tenant is the name of the district this school belongs to. The School
	// must live in that tenant's namespace, "tenant-<tenant>". It cannot change.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=50
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="tenant is immutable: a school cannot move to another district"
	Tenant string `json:"tenant"`

	// Code identifies the school within its district (often the state school
	// number, for example "LHS-042"). Unique per tenant; it cannot change,
	// because the LMS keys the school's data by it.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9][A-Za-z0-9._-]*$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="code is immutable: the LMS keys the school's data by it"
	Code string `json:"code"`

	// DisplayName is the school's name as people read it.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=200
	DisplayName string `json:"displayName"`

	// TimeZone is the school's IANA time zone; its calendar is read in it.
	TimeZone TimeZone `json:"timeZone"`

	// Calendar holds school hours, terms and holidays. It drives deploy
	// windows and alert muting.
	// +optional
	Calendar SchoolCalendar `json:"calendar,omitempty"`

	// GradeBands group the grades the school teaches, for example
	// "Middle" = 6, 7, 8.
	// +kubebuilder:validation:MaxItems=16
	// +listType=map
	// +listMapKey=name
	// +optional
	GradeBands []GradeBand `json:"gradeBands,omitempty"`

	// Branding is how the school's LMS pages look.
	// +optional
	Branding Branding `json:"branding,omitempty"`

	// Seats caps the number of active students the school may enrol.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100000
	// +optional
	Seats int32 `json:"seats,omitempty"`
}

// SchoolCalendar is a school's week and year.
type SchoolCalendar struct {
	// Hours are the times the school is in session, in the school's time zone.
	// +kubebuilder:validation:MaxItems=14
	// +optional
	Hours []TimeWindow `json:"hours,omitempty"`

	// Terms are the academic terms.
	// +kubebuilder:validation:MaxItems=12
	// +listType=map
	// +listMapKey=name
	// +optional
	Terms []Term `json:"terms,omitempty"`

	// Holidays are days (or spans of days) with no school.
	// +kubebuilder:validation:MaxItems=100
	// +optional
	Holidays []Holiday `json:"holidays,omitempty"`
}

// Term is an academic term such as "Fall 2026".
// +kubebuilder:validation:XValidation:rule="self.start < self.end",message="a term's end must be after its start"
type Term struct {
	// Name of the term.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=60
	Name string `json:"name"`

	// Start is the first day of the term.
	Start Date `json:"start"`

	// End is the last day of the term.
	End Date `json:"end"`
}

// Holiday is a day, or span of days, with no school.
// +kubebuilder:validation:XValidation:rule="!has(self.end) || self.start <= self.end",message="a holiday's end must not be before its start"
type Holiday struct {
	// Name of the holiday.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=60
	Name string `json:"name"`

	// Start is the first day off.
	Start Date `json:"start"`

	// End is the last day off; the holiday is one day when unset.
	// +optional
	End Date `json:"end,omitempty"`
}

// GradeBand groups grades.
type GradeBand struct {
	// Name of the band, for example "Elementary".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=40
	Name string `json:"name"`

	// Grades in the band: "PK", "K" or "1" to "12".
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=14
	// +kubebuilder:validation:items:Enum=PK;K;"1";"2";"3";"4";"5";"6";"7";"8";"9";"10";"11";"12"
	// +listType=set
	Grades []string `json:"grades"`
}

// Branding is how a school's pages look.
type Branding struct {
	// PrimaryColor is a CSS hex colour such as "#1d4ed8". The LMS darkens it
	// when needed to keep text readable.
	// +kubebuilder:validation:MaxLength=7
	// +kubebuilder:validation:XValidation:rule="self.matches('^#[0-9a-fA-F]{6}$')",message="primaryColor must be a hex colour such as #1d4ed8"
	// +optional
	PrimaryColor string `json:"primaryColor,omitempty"`

	// LogoURL is an https URL of the school's logo.
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getScheme() == 'https'",message="logoURL must be an https URL"
	// +optional
	LogoURL string `json:"logoURL,omitempty"`

	// Motto is a short line shown under the school's name.
	// +kubebuilder:validation:MaxLength=120
	// +optional
	Motto string `json:"motto,omitempty"`
}

// SchoolStatus is what the operator observed of a school.
type SchoolStatus struct {
	// ObservedGeneration is the spec generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions: Published (in the tenant's directory entry), Synced (the LMS
	// has it) and Ready.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// Synced is true when the LMS has stored this version of the school.
	// +optional
	Synced bool `json:"synced,omitempty"`

	// SyncedTime is when the LMS was last seen holding this version.
	// +optional
	SyncedTime *metav1.Time `json:"syncedTime,omitempty"`

	// ActiveStudents is the number of students enrolled, read from the LMS.
	// +optional
	ActiveStudents int32 `json:"activeStudents,omitempty"`
}

// School is one school of a district, published to the LMS through the
// tenant's directory entry.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=bellwork
// +kubebuilder:printcolumn:name="Tenant",type=string,JSONPath=`.spec.tenant`
// +kubebuilder:printcolumn:name="Code",type=string,JSONPath=`.spec.code`
// +kubebuilder:printcolumn:name="Time Zone",type=string,JSONPath=`.spec.timeZone`
// +kubebuilder:printcolumn:name="Synced",type=boolean,JSONPath=`.status.synced`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type School struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the school as the platform engineer wants it.
	Spec SchoolSpec `json:"spec"`

	// Status is what the operator observed.
	// +optional
	Status SchoolStatus `json:"status,omitempty"`
}

// SchoolList is a list of Schools.
//
// +kubebuilder:object:root=true
type SchoolList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []School `json:"items"`
}

func init() {
	SchemeBuilder.Register(&School{}, &SchoolList{})
}
