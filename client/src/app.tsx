import { type PropsWithChildren } from 'react'
import { SessionProvider } from './hooks/session'
import './app.scss'

function App({ children }: PropsWithChildren) {
  return <SessionProvider>{children}</SessionProvider>
}

export default App
