// API schemas of the birthday module (issue 11): being written
export {}
