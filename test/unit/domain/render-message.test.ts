import { describe, expect, it } from 'vitest';
import { renderMessage } from '../../../lambdas/domain/render-message.js';

describe('renderMessage', () => {
  it('fills a placeholder from the variables', () => {
    expect(renderMessage('Hi {{firstName}}, sorry we missed you.', { firstName: 'Jordan' })).toBe(
      'Hi Jordan, sorry we missed you.'
    );
  });

  it('fills a placeholder written with spaces inside the braces', () => {
    expect(
      renderMessage('Hi {{ firstName }} and {{lastName }}', { firstName: 'Jo', lastName: 'Li' })
    ).toBe('Hi Jo and Li');
  });

  it('fills every occurrence of the same placeholder', () => {
    expect(renderMessage('{{x}}-{{ x }}-{{x}}', { x: 'a' })).toBe('a-a-a');
  });

  it('writes numbers, zero and false as text', () => {
    expect(
      renderMessage('{{count}} offers, {{fee}} fee, opted out: {{optedOut}}', {
        count: 3,
        fee: 0,
        optedOut: false,
      })
    ).toBe('3 offers, 0 fee, opted out: false');
  });

  it('keeps an unknown placeholder exactly as written', () => {
    expect(renderMessage('Hi {{ lastName }}!', { firstName: 'Jordan' })).toBe('Hi {{ lastName }}!');
  });

  it('keeps a placeholder whose variable is null as written', () => {
    expect(renderMessage('Hi {{firstName}}!', { firstName: null })).toBe('Hi {{firstName}}!');
  });

  it('reads a dotted name as one variable name, not a path into an object', () => {
    expect(renderMessage('{{first.name}}', { 'first.name': 'Jo' })).toBe('Jo');
    expect(renderMessage('{{first.name}}', { first: { name: 'Jo' } })).toBe('{{first.name}}');
  });

  it('leaves text without placeholders untouched', () => {
    const text = 'Call us at 555-0100 {not a placeholder} {{}} $firstName }}{{';
    expect(renderMessage(text, { firstName: 'Jordan' })).toBe(text);
  });

  it('does not evaluate expressions inside braces', () => {
    expect(renderMessage('{{ 1 + 1 }} {{firstName()}}', { firstName: 'Jordan' })).toBe(
      '{{ 1 + 1 }} {{firstName()}}'
    );
  });

  it('does not expand placeholders that appear inside a variable’s value', () => {
    expect(renderMessage('{{a}}', { a: '{{b}}', b: 'expanded' })).toBe('{{b}}');
  });

  it.each(['constructor', '__proto__', 'toString'])(
    'keeps {{%s}} as written when no such variable was given',
    (name) => {
      // Only the caller's own variables fill placeholders, never inherited object members.
      expect(renderMessage(`Hi {{${name}}}`, {})).toBe(`Hi {{${name}}}`);
    }
  );
});
