// API schemas of the staff module (issue 12): being written
export {}
