/**
 * The attributes that make a page's root focusable, so a keyboard can scroll a page longer than the screen (the
 * scrolling element is Taro's page, which we don't render). ViewProps has no tabIndex; H5 passes the attributes
 * through, weapp ignores them. `region` names the page as a landmark; lists that are only a list leave it out.
 */
export function keyboardScrollable(label: string, options: { region?: boolean } = {}): Record<string, unknown> {
  return { tabIndex: 0, ...(options.region === false ? {} : { role: 'region' }), 'aria-label': label }
}
