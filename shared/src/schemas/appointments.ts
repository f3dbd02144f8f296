// API schemas of the appointments module (issue 12): being written
export {}
