package data

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Task is the record of a change requested through the REST API, which
// Redis Cloud answers asynchronously. Keyward makes the change at once, so
// a task is born completed or failed; it stays readable for TaskRetention.
// Its JSON names are Redis Cloud's TaskStateUpdate.
type Task struct {
	ID          uuid.UUID    `json:"taskId"`
	CommandType string       `json:"commandType"`
	Status      string       `json:"status"` // TaskCompleted or TaskFailed
	Description string       `json:"description"`
	Timestamp   time.Time    `json:"timestamp"`
	Response    TaskResponse `json:"response"`
}

// TaskResponse is a task's outcome, Redis Cloud's ProcessorResponse.
type TaskResponse struct {
	ResourceID     int64  `json:"resourceId,omitempty"`
	Error          string `json:"error,omitempty"`          // one of Redis Cloud's error codes
	AdditionalInfo string `json:"additionalInfo,omitempty"` // the readable message of the error
}

// Task statuses.
const (
	TaskCompleted = "processing-completed"
	TaskFailed    = "processing-error"
)

// TaskRetention is how long tasks can be read back.
const TaskRetention = 7 * 24 * time.Hour

// NewTask returns a task with a new id and the store's current time.
func (s *Store) NewTask(commandType, description string) (Task, error) {
	id, err := uuid.NewRandom()
	if err != nil {
		return Task{}, storageError("generate a task id", err)
	}
	return Task{ID: id, CommandType: commandType, Description: description, Timestamp: s.opts.Now().UTC().Truncate(time.Second)}, nil
}

// SaveTask stores a task for TaskRetention.
func (s *Store) SaveTask(t Task) error {
	b, err := json.Marshal(taskRecord{V: recordVersion, Task: t})
	if err != nil {
		return storageError("encode a task", err)
	}
	return s.write("save a task", []Op{{Key: uuidKey(prefixTask, t.ID), Value: b, TTL: TaskRetention}})
}

// Task returns the task with the given id.
func (s *Store) Task(id uuid.UUID) (Task, error) {
	var rec taskRecord
	found, err := s.get(uuidKey(prefixTask, id), &rec)
	if err != nil {
		return Task{}, err
	}
	if !found {
		return Task{}, Errorf(ENotFound, "There is no task %s (tasks are kept for %d days).", id, int(TaskRetention.Hours()/24))
	}
	return rec.Task, nil
}

// Tasks returns the tasks kept, newest first.
func (s *Store) Tasks() ([]Task, error) {
	var out []Task
	err := s.scan(prefixTask, false, func(b []byte) (bool, error) {
		var rec taskRecord
		if err := decode(b, &rec); err != nil {
			return false, err
		}
		out = append(out, rec.Task)
		return true, nil
	})
	slices.SortStableFunc(out, func(a, b Task) int { return b.Timestamp.Compare(a.Timestamp) })
	return out, err
}
