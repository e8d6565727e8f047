package badger

import (
	"errors"
	"os"
	"path/filepath"

	"golang.org/x/sys/windows"
)

// lockName is the file whose exclusive opening locks a data directory on
// Windows, where a directory cannot be locked itself.
const lockName = "keyward.lock"

// lockDir takes the data directory for this process, before Badger takes
// its own directory: what Open does to the files first (removing what a
// crash left) must not touch a directory another process holds. held
// reports that another process has it. The lock goes with the process;
// release gives it back sooner.
func lockDir(dir string) (release func(), held bool, err error) {
	path, err := windows.UTF16PtrFromString(filepath.Join(dir, lockName))
	if err != nil {
		return nil, false, err
	}
	h, err := windows.CreateFile(path, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil,
		windows.OPEN_ALWAYS, windows.FILE_ATTRIBUTE_NORMAL|windows.FILE_FLAG_DELETE_ON_CLOSE, 0)
	if errors.Is(err, windows.ERROR_SHARING_VIOLATION) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, &os.PathError{Op: "lock", Path: filepath.Join(dir, lockName), Err: err}
	}
	return func() { windows.CloseHandle(h) }, false, nil
}
